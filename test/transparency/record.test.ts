import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/transparency/canonical-json.js";
import { CAUSES } from "../../src/transparency/causes.js";
import { canonicalRecordBytes, contentCommitment, newSalt } from "../../src/transparency/record.js";
import { CARD_RULE, CREATED_AT, makeRecord } from "./factory.js";

describe("canonical bytes", () => {
  it("sort keys at every depth and drop whitespace, independent of insertion order", () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null, "x"], c: -0.5 } })).toBe(
      '{"a":{"c":-0.5,"d":[true,null,"x"]},"b":1}',
    );
    const record = makeRecord("policy_block");
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as typeof record;
    expect(
      Buffer.from(canonicalRecordBytes(reordered)).equals(Buffer.from(canonicalRecordBytes(record))),
    ).toBe(true);
  });

  it("survive a JSON round trip byte for byte (what a stored or sent receipt goes through)", () => {
    const record = makeRecord("upstream_error", {
      facts: { words_received: 212, partial: true, note: null },
    });
    const roundTripped = JSON.parse(JSON.stringify(record));
    expect(Buffer.from(canonicalRecordBytes(roundTripped)).toString()).toBe(
      Buffer.from(canonicalRecordBytes(record)).toString(),
    );
  });

  it("reject values JSON cannot represent instead of hashing something else", () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ d: new Date() })).toThrow(TypeError);
  });
});

describe("content commitment", () => {
  it("is sha256(salt ‖ content) and differs per salt", () => {
    const salt = newSalt();
    const expected = createHash("sha256").update(salt).update("hello").digest("hex");
    expect(contentCommitment("hello", salt)).toBe(expected);
    expect(contentCommitment(Buffer.from("hello"), salt)).toBe(expected);
    expect(contentCommitment("hello", newSalt())).not.toBe(expected);
    expect(salt.length).toBe(32);
  });
});

describe("buildRecord", () => {
  it("fills a policy block from the cause table, with a six-month appeal deadline by default", () => {
    const r = makeRecord("policy_block");
    expect(r.actor).toBe("proxy_policy");
    expect(r.automatedDetection).toBe(true);
    expect(r.automatedDecision).toBe(true);
    expect(r.decisionVisibility).toEqual(["DECISION_VISIBILITY_CONTENT_DISABLED"]);
    expect(r.decisionGround).toBe("DECISION_GROUND_INCOMPATIBLE_CONTENT");
    expect(r.redress).toEqual({ appealable: true, deadline: "2025-09-01T14:05:00.000Z" });
    expect(r.recoverable.what).toBe("moderator_only");
    expect(r.createdAt).toBe(CREATED_AT.toISOString());
    expect(r.decisionFacts).toBe(
      "An automated filter withheld a model reply under rule privacy.card-numbers (policy default version 3, hazard privacy).",
    );
  });

  it("uses appealDays when given", () => {
    expect(makeRecord("policy_redact", { appealDays: 14 }).redress.deadline).toBe("2025-03-15T14:05:00.000Z");
  });

  it("gives non-decisions no appeal, no DSA ground and the caller's recoverability", () => {
    const r = makeRecord("upstream_overloaded", {
      error: { type: "overloaded_error", status: 529, upstreamRequestId: "req_01", message: null },
      recoverable: { what: "partial", until: "2025-04-01T00:00:00.000Z" },
    });
    expect(r.actor).toBe("upstream_platform");
    expect(r.redress).toEqual({ appealable: false, deadline: null });
    expect(r.decisionGround).toBeNull();
    expect(r.decisionVisibility).toEqual([]);
    expect(r.recoverable).toEqual({ what: "partial", until: "2025-04-01T00:00:00.000Z" });
  });

  it("writes decision facts without content or ids for every cause", () => {
    for (const cause of CAUSES) {
      const r = makeRecord(cause);
      expect(r.decisionFacts.length).toBeGreaterThan(10);
      for (const id of [r.id, r.tenantId, r.sessionId, r.turnId, r.content.messageId]) {
        expect(r.decisionFacts).not.toContain(String(id));
      }
      expect(r.decisionFacts).not.toContain("4111");
    }
  });

  it("keeps optional fields absent (not undefined) so canonical bytes are stable", () => {
    const r = makeRecord("policy_flag", { rule: CARD_RULE });
    expect(Object.hasOwn(r, "ruleExplanation")).toBe(false);
    expect(Object.hasOwn(r, "facts")).toBe(false);
  });
});
