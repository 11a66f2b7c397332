import { describe, expect, it } from "vitest";
import { createPolicyEngine } from "../../src/policy/engine.js";
import { chunks, fakeFetch, json, policyOf, rule, stream } from "./helpers.js";

const CARD = "4111 1111 1111 1111";
const cards = rule({
  id: "privacy.cards",
  stages: ["output", "tool_use"],
  detector: { type: "pii", kinds: ["card"] },
  hazard: "privacy",
  action: "redact",
  label: "card number",
});
const engineOf = (rules: Array<Record<string, unknown>>, window_chars = 64, deps = {}) =>
  createPolicyEngine(policyOf({ window_chars, rules }), deps);

const before = "Sure. Here is the number you asked me to repeat back to you: ";
const after = " — please keep it safe and do not share it with anyone else.";
const text = `${before}${CARD}${after}`;
const expected = `${before}[redacted: card number]${after}`;

function splitAt(s: string, ...at: number[]): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const a of at) {
    out.push(s.slice(prev, a));
    prev = a;
  }
  return [...out, s.slice(prev)];
}

describe("output window: a card number split across deltas", () => {
  const cardStart = before.length;
  it.each([
    ["2 deltas", splitAt(text, cardStart + 7)],
    ["3 deltas", splitAt(text, cardStart + 4, cardStart + 12)],
    ["deltas ending right before and after it", splitAt(text, cardStart, cardStart + CARD.length)],
    ["1-character deltas", chunks(text, 1)],
    ["5-character deltas", chunks(text, 5)],
  ])("never releases any of it (%s)", async (_name, parts) => {
    const r = await stream(engineOf([cards]).createOutputScreen(), parts);
    expect(r.released).toBe(expected);
    expect(r.released).not.toMatch(/\d{4}/);
    expect(r.steps.join("")).not.toContain("1111");
    expect(r.matches.map((m) => m.ruleId)).toEqual(["privacy.cards"]);
    expect(r.blocked).toBe(false);
  });

  it("reports the match at its offsets in the block's original text", async () => {
    const r = await stream(engineOf([cards]).createOutputScreen(), chunks(text, 3));
    expect(r.matches[0]?.location).toEqual({
      messageIndex: null,
      blockIndex: 0,
      start: cardStart,
      end: cardStart + CARD.length,
    });
    expect(r.matches[0]?.stage).toBe("output");
  });

  it("keeps the unredacted original for moderators", async () => {
    const screen = engineOf([cards]).createOutputScreen();
    await stream(screen, chunks(text, 9));
    expect(screen.original(0)).toBe(text);
  });

  it("with window_chars 0 nothing is held back: a split match leaks but is still reported (the trade-off)", async () => {
    const r = await stream(engineOf([cards], 0).createOutputScreen(), chunks(text, 1));
    expect(r.released).toContain("4111 1111 1111 111");
    expect(r.matches.map((m) => m.ruleId)).toEqual(["privacy.cards"]);
  });
});

describe("output window: the hold-back bound", () => {
  it("holds back at most window_chars characters of clean text", async () => {
    const screen = engineOf([cards], 16).createOutputScreen();
    const clean = "lorem ipsum dolor sit amet ".repeat(10);
    let fed = 0;
    let released = 0;
    for (const c of chunks(clean, 3)) {
      fed += c.length;
      released += screen.push(0, "text", c).release.length;
      expect(fed - released).toBeLessThanOrEqual(16);
    }
    expect(released + (await screen.end(0)).release.length).toBe(clean.length);
  });

  it("does not hold back block kinds no rule screens (thinking without thinking: true)", () => {
    const screen = engineOf([cards]).createOutputScreen();
    expect(screen.push(0, "thinking", `card ${CARD}`).release).toBe(`card ${CARD}`);
  });

  it("reports a flagged match once however many deltas see it", async () => {
    const flag = { ...cards, action: "flag" };
    const r = await stream(engineOf([flag]).createOutputScreen(), chunks(text, 2));
    expect(r.matches).toHaveLength(1);
    expect(r.released).toBe(text);
  });
});

describe("output window: blocking mid-stream", () => {
  const blocker = rule({
    id: "codename",
    stages: ["output"],
    detector: { type: "keywords", words: ["nightjar"] },
    action: "block",
  });
  const long = `${"The launch plan is as follows, in detail. ".repeat(3)}Project nightjar starts on Monday.${" More text.".repeat(10)}`;

  it("releases only the text before the match, then stops", async () => {
    const screen = engineOf([blocker]).createOutputScreen();
    const r = await stream(screen, chunks(long, 5));
    expect(r.blocked).toBe(true);
    expect(r.released).toBe(long.slice(0, long.indexOf("nightjar")));
    expect(r.matches.map((m) => [m.ruleId, m.action])).toEqual([["codename", "block"]]);
    expect(screen.push(0, "text", "more")).toEqual({ release: "", matches: [], block: true });
    expect((await screen.end(0)).block).toBe(true);
  });
});

describe("output window: tool_input JSON", () => {
  it("redacts inside a JSON string value and keeps the JSON valid", async () => {
    const raw = JSON.stringify({ note: `pay with ${CARD.replaceAll(" ", "")} today`, amount: 12 });
    const r = await stream(engineOf([cards]).createOutputScreen(), chunks(raw, 3), "tool_input");
    expect(r.blocked).toBe(false);
    expect(JSON.parse(r.released)).toEqual({ note: "pay with [redacted: card number] today", amount: 12 });
    expect(r.matches[0]?.stage).toBe("tool_use");
  });

  it("escalates to block when the match is not inside a string", async () => {
    const raw = '{"amount": 12, "card": 4111111111111111}';
    const r = await stream(engineOf([cards]).createOutputScreen(), chunks(raw, 4), "tool_input");
    expect(r.blocked).toBe(true);
    expect(r.matches[0]).toMatchObject({ action: "block", escalated: { from: "redact" } });
    expect(r.released).not.toContain("4111");
  });
});

describe("output window: thinking", () => {
  it("a redact rule on thinking blocks instead (redaction would break the signature)", async () => {
    const r = await stream(
      engineOf([{ ...cards, thinking: true }]).createOutputScreen(),
      chunks(text, 6),
      "thinking",
    );
    expect(r.blocked).toBe(true);
    expect(r.released).toBe(before);
    expect(r.matches[0]?.escalated?.reason).toMatch(/signature/);
  });
});

describe("output window: streamed private keys", () => {
  it("swallows the whole key, however long, with one marker", async () => {
    const secrets = rule({
      id: "secrets",
      stages: ["output"],
      detector: { type: "secrets" },
      hazard: "secrets",
      action: "redact",
    });
    const body = Array.from({ length: 20 }, (_, i) => `MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn${i}`).join("\n");
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const r = await stream(
      engineOf([secrets]).createOutputScreen(),
      chunks(`Here it is:\n${pem}\nDone.`, 10),
    );
    expect(r.released).toBe("Here it is:\n[redacted: private key]\nDone.");
    expect(r.matches).toHaveLength(1);
  });
});

describe("output window: async detectors at block end", () => {
  const hook = (action: string) =>
    rule({
      id: "hook",
      stages: ["output"],
      detector: { type: "webhook", url: "http://hook.test" },
      action,
      on_error: "closed",
    });
  const verdictOn = (word: string) =>
    fakeFetch((body) =>
      json({ verdict: String((body as { text: string }).text).includes(word) ? "match" : "no_match" }),
    );

  it("a block found at the end withholds the held rest and ends the stream", async () => {
    const long = `${"A perfectly normal sentence. ".repeat(6)}bad ending`;
    const engine = engineOf([hook("block")], 64, { fetch: verdictOn("bad") });
    const r = await stream(engine.createOutputScreen(), chunks(long, 8));
    expect(r.blocked).toBe(true);
    expect(long.startsWith(r.released)).toBe(true);
    expect(r.released.length).toBeLessThanOrEqual(long.length - 64);
    expect(r.matches.map((m) => m.ruleId)).toEqual(["hook"]);
  });

  it("a redaction found at the end after text was released becomes a block", async () => {
    const long = `${"A perfectly normal sentence. ".repeat(6)}bad`;
    const r = await stream(
      engineOf([hook("redact")], 64, { fetch: verdictOn("bad") }).createOutputScreen(),
      chunks(long, 8),
    );
    expect(r.blocked).toBe(true);
    expect(r.matches[0]).toMatchObject({ action: "block", escalated: { from: "redact" } });
  });

  it("a redaction found at the end of a block still fully held is applied", async () => {
    const r = await stream(engineOf([hook("redact")], 64, { fetch: verdictOn("bad") }).createOutputScreen(), [
      "a bad",
      " reply",
    ]);
    expect(r).toMatchObject({ released: "[redacted: content]", blocked: false });
  });

  it("a failing async check with on_error closed blocks", async () => {
    const failing = fakeFetch(() => json({}, 500));
    const r = await stream(engineOf([hook("block")], 64, { fetch: failing }).createOutputScreen(), [
      "fine text",
    ]);
    expect(r.blocked).toBe(true);
    expect(r.matches[0]?.detectorError?.failMode).toBe("closed");
  });

  it("clean text passes whole after the check", async () => {
    const r = await stream(
      engineOf([hook("block")], 64, { fetch: verdictOn("bad") }).createOutputScreen(),
      chunks(text, 7),
    );
    expect(r).toMatchObject({ released: text, blocked: false, matches: [] });
  });
});
