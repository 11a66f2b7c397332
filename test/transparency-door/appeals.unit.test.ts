/** The pure parts of the appeal flow: what a reversal puts back, and when an appeal is still possible. */
import { describe, expect, it } from "vitest";
import { AppealError, checkAppealable, restoredBlocks } from "../../src/transparency/appeals.js";
import { buildRecord } from "../../src/transparency/record.js";

const record = (cause: "policy_block" | "upstream_refusal", createdAt: Date, appealDays = 30) =>
  buildRecord({
    id: "int_t",
    tenantId: "ten_t",
    sessionId: "s",
    turnId: "turn_t",
    cause,
    createdAt,
    appealDays,
  });

describe("restoredBlocks", () => {
  it("puts each withheld original back into the block it came from", () => {
    const shown = [
      { type: "text", text: "Card [redacted: card number] ok" },
      { type: "tool_use", id: "toolu_1", name: "pay", input: { card: "[redacted]" } },
    ];
    const out = restoredBlocks(shown, [
      { index: 0, kind: "text", original: "Card 4111 1111 1111 1111 ok" },
      { index: 1, kind: "tool_input", original: '{"card":"4111111111111111"}' },
    ]);
    expect(out).toEqual([
      { type: "text", text: "Card 4111 1111 1111 1111 ok" },
      { type: "tool_use", id: "toolu_1", name: "pay", input: { card: "4111111111111111" } },
    ]);
    expect(shown[0]?.text).toBe("Card [redacted: card number] ok"); // the shown reply is not changed
  });

  it("adds a blocked text block the reply never showed; skips what cannot be rebuilt", () => {
    expect(restoredBlocks([], [{ index: 0, kind: "text", original: "the whole reply" }])).toEqual([
      { type: "text", text: "the whole reply" },
    ]);
    expect(
      restoredBlocks([{ type: "text", text: "a" }], [{ index: 1, kind: "thinking", original: "hmm" }]),
    ).toEqual([{ type: "text", text: "a" }]);
    const partialTool = [{ type: "tool_use", id: "t", name: "n", input: {} }];
    expect(restoredBlocks(partialTool, [{ index: 0, kind: "tool_input", original: '{"a":' }])).toEqual(
      partialTool,
    );
  });
});

describe("checkAppealable", () => {
  it("allows our decisions before the deadline, and nothing else", () => {
    const made = new Date("2026-01-01T00:00:00Z");
    expect(() =>
      checkAppealable(record("policy_block", made), new Date("2026-01-30T00:00:00Z")),
    ).not.toThrow();
    const late = () => checkAppealable(record("policy_block", made), new Date("2026-01-31T00:00:00Z"));
    expect(late).toThrow(AppealError);
    expect(late).toThrow("ended on 2026-01-31T00:00:00.000Z");
    expect(() => checkAppealable(record("upstream_refusal", made), made)).toThrow("cannot be appealed");
  });
});
