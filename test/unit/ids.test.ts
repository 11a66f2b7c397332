/** Ids come from a pool of random bytes: every byte is handed out once, across refills too. */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/store/ids.js";

describe("newId", () => {
  it("gives distinct, URL-safe ids of the asked size with their prefix, across many pool refills", () => {
    const ids = Array.from({ length: 5_000 }, () => newId("turn")); // 60 KB of random bytes: ~15 refills
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^turn_[A-Za-z0-9_-]{16}$/);
    const bytes = ids.map((id) => Buffer.from(id.slice(5), "base64url"));
    expect(new Set(bytes.map((b) => b.subarray(0, 6).toString("hex"))).size).toBe(ids.length);
  });

  it("takes sizes larger than the pool directly", () => {
    expect(Buffer.from(newId("key", 5_000).slice(4), "base64url")).toHaveLength(5_000);
    expect(newId("ses", 24)).toMatch(/^ses_[A-Za-z0-9_-]{32}$/);
  });
});
