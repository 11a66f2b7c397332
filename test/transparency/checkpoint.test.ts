import { describe, expect, it } from "vitest";
import {
  checkpointBody,
  generateSigningKey,
  keyIdFor,
  signCheckpoint,
  verifyCheckpoint,
} from "../../src/transparency/checkpoint.js";
import { leafHash, rootFromLeafHashes } from "../../src/transparency/merkle.js";

const NOW = new Date("2025-03-01T14:05:00.000Z");
const ROOT = rootFromLeafHashes([leafHash(Buffer.from("a")), leafHash(Buffer.from("b"))]);

describe("signing keys", () => {
  it("are Ed25519 PEM pairs whose id is the first 8 bytes of sha256(SPKI DER)", () => {
    const key = generateSigningKey();
    expect(key.publicKeyPem).toContain("BEGIN PUBLIC KEY");
    expect(key.privateKeyPem).toContain("BEGIN PRIVATE KEY");
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdFor(key.publicKeyPem)).toBe(key.keyId);
    expect(generateSigningKey().keyId).not.toBe(key.keyId);
  });
});

describe("checkpoints", () => {
  const key = generateSigningKey();
  const cp = signCheckpoint(key, "candor.test/log", 2, ROOT, NOW);

  it("sign the note body origin, size, base64 root and timestamp", () => {
    expect(cp).toMatchObject({ origin: "candor.test/log", size: 2, timestamp: "2025-03-01T14:05:00.000Z" });
    expect(Buffer.from(cp.rootHash, "base64").equals(ROOT)).toBe(true);
    expect(checkpointBody(cp)).toBe(
      `candor.test/log\n2\n${ROOT.toString("base64")}\n2025-03-01T14:05:00.000Z\n`,
    );
    expect(verifyCheckpoint(cp, key.publicKeyPem)).toBe(true);
  });

  it.each([
    ["origin", { origin: "candor.evil/log" }],
    ["size", { size: 3 }],
    ["root", { rootHash: Buffer.alloc(32).toString("base64") }],
    ["timestamp", { timestamp: "2025-03-02T14:05:00.000Z" }],
    ["key id", { keyId: "0000000000000000" }],
    ["signature", { signature: Buffer.alloc(64, 7).toString("base64") }],
    ["signature encoding", { signature: "not base64!" }],
    ["an injected line", { origin: "candor.test/log\n2" }],
  ])("fail when the %s is changed", (_, change) => {
    expect(verifyCheckpoint({ ...cp, ...change }, key.publicKeyPem)).toBe(false);
  });

  it("fail with another key, and with a key that is not a key", () => {
    expect(verifyCheckpoint(cp, generateSigningKey().publicKeyPem)).toBe(false);
    expect(verifyCheckpoint(cp, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")).toBe(false);
    expect(verifyCheckpoint(cp, "")).toBe(false);
  });

  it("refuse to sign a multi-line origin or a root of the wrong length", () => {
    expect(() => signCheckpoint(key, "a\nb", 2, ROOT, NOW)).toThrow(RangeError);
    expect(() => signCheckpoint(key, "a", 2, ROOT.subarray(0, 31), NOW)).toThrow(RangeError);
  });
});
