import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/transparency/canonical-json.js";
import { generateSigningKey, signCheckpoint } from "../../src/transparency/checkpoint.js";
import { inclusionProof, leafHash, rootFromLeafHashes } from "../../src/transparency/merkle.js";
import { buildReceipt, type Receipt, verifyReceipt } from "../../src/transparency/receipts.js";
import { canonicalRecordBytes, type InterventionRecord } from "../../src/transparency/record.js";
import { makeRecord } from "./factory.js";

const KEY = generateSigningKey();
const NOW = new Date("2025-03-01T15:00:00.000Z");

/** A small log of 7 records (odd size, so the last leaf is promoted), with a receipt for each. */
function buildLog(): { records: InterventionRecord[]; receipts: Receipt[] } {
  const records = [
    makeRecord("policy_block"),
    makeRecord("upstream_refusal", { facts: { words_received: 57 } }),
    makeRecord("policy_redact", { ruleExplanation: "Our filter hid 1 card number(s)." }),
    makeRecord("upstream_overloaded"),
    makeRecord("client_disconnect"),
    makeRecord("erasure"),
    makeRecord("appeal_upheld"),
  ];
  const leaves = records.map((r) => leafHash(canonicalRecordBytes(r)));
  const checkpoint = signCheckpoint(KEY, "candor.test/log", leaves.length, rootFromLeafHashes(leaves), NOW);
  const receipts = records.map((r, i) =>
    buildReceipt(r, i, inclusionProof(leaves, i), checkpoint, KEY.publicKeyPem),
  );
  return { records, receipts };
}

/** What the user holds: the receipt after JSON transport. */
const transported = (r: Receipt): Receipt => JSON.parse(JSON.stringify(r));

describe("verifyReceipt", () => {
  const { receipts } = buildLog();

  it("accepts every receipt of the log, against the trusted key", () => {
    for (const receipt of receipts) {
      const result = verifyReceipt(transported(receipt), KEY.publicKeyPem);
      expect(result).toEqual({
        valid: true,
        checks: { shape: true, inclusion: true, signature: true, trustedKey: true },
      });
    }
  });

  it("without a trusted key, checks against the embedded key and says so", () => {
    const result = verifyReceipt(transported(receipts[0] as Receipt));
    expect(result.valid).toBe(true);
    expect(result.checks).toEqual({ shape: true, inclusion: true, signature: true, trustedKey: false });
  });

  it("rejects a receipt re-signed with another key when the real key is trusted", () => {
    const { records } = buildLog();
    const forger = generateSigningKey();
    const leaves = records.map((r) => leafHash(canonicalRecordBytes(r)));
    const forged = buildReceipt(
      records[0] as InterventionRecord,
      0,
      inclusionProof(leaves, 0),
      signCheckpoint(forger, "candor.test/log", leaves.length, rootFromLeafHashes(leaves), NOW),
      forger.publicKeyPem,
    );
    expect(verifyReceipt(transported(forged)).valid).toBe(true);
    const result = verifyReceipt(transported(forged), KEY.publicKeyPem);
    expect(result.valid).toBe(false);
    expect(result.checks).toMatchObject({ inclusion: true, signature: false, trustedKey: false });
    expect(result.reason).toContain("trusted key");
  });

  it("rejects the receipt when any single byte of the record changes", () => {
    const receipt = receipts[2] as Receipt;
    const text = canonicalJson(receipt.record);
    let checked = 0;
    for (let i = 0; i < text.length; i++) {
      const replacement = text[i] === "x" ? "y" : "x";
      const tampered = `${text.slice(0, i)}${replacement}${text.slice(i + 1)}`;
      let record: unknown;
      try {
        record = JSON.parse(tampered);
      } catch {
        record = tampered; // not JSON any more: a garbage record must be rejected too
      }
      const result = verifyReceipt({ ...transported(receipt), record });
      expect(result.valid, `byte ${i}`).toBe(false);
      expect(result.checks.inclusion).toBe(false);
      checked++;
    }
    expect(checked).toBe(text.length);
  });

  it("rejects a record added field, a moved leaf, a wrong size or a tampered proof", () => {
    const good = transported(receipts[3] as Receipt);
    const record = good.record;
    const proof = good.inclusionProof;
    const cases: Array<[string, Record<string, unknown>]> = [
      ["added field", { record: { ...record, extra: true } }],
      ["other index", { leafIndex: 4 }],
      ["index outside", { leafIndex: 7 }],
      ["size mismatch", { treeSize: 8 }],
      ["reversed proof", { inclusionProof: [...proof].reverse() }],
      ["short proof", { inclusionProof: proof.slice(1) }],
      ["other record", { record: transported(receipts[4] as Receipt).record }],
    ];
    for (const [name, change] of cases) {
      expect(verifyReceipt({ ...good, ...change }).valid, name).toBe(false);
    }
  });

  it("rejects a checkpoint whose signed fields were changed", () => {
    const good = transported(receipts[0] as Receipt);
    const moved = { ...good, checkpoint: { ...good.checkpoint, timestamp: "2030-01-01T00:00:00.000Z" } };
    const result = verifyReceipt(moved, KEY.publicKeyPem);
    expect(result.checks).toMatchObject({ shape: true, inclusion: true, signature: false });
    expect(result.valid).toBe(false);
  });

  it.each([
    ["null", null],
    ["a number", 42],
    ["a string", "receipt"],
    ["an empty object", {}],
    ["an array", [1, 2]],
    ["wrong version", { ...transported(buildLog().receipts[0] as Receipt), version: 2 }],
    ["a non-base64 proof", { ...transported(buildLog().receipts[0] as Receipt), inclusionProof: ["%%"] }],
    ["a bad key", { ...transported(buildLog().receipts[0] as Receipt), publicKey: "nope" }],
  ])("never throws on garbage (%s)", (_, input) => {
    const result = verifyReceipt(input);
    expect(result.valid).toBe(false);
    expect(typeof result.reason).toBe("string");
  });

  it("stays verifiable with the content erased: the record holds only a salted hash", () => {
    const receipt = receipts[0] as Receipt;
    expect(JSON.stringify(receipt)).not.toContain("4111");
    expect(receipt.record.content.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyReceipt(transported(receipt), KEY.publicKeyPem).valid).toBe(true);
  });
});
