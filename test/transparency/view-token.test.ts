import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signViewToken, type ViewClaims, verifyViewToken } from "../../src/transparency/view-token.js";

const SECRET = "view-token-secret-for-tests-0123456789";
const NOW = new Date("2025-03-01T14:05:00.000Z");
const CLAIMS: ViewClaims = {
  tenantId: "ten_1",
  sessionId: "ses_1",
  userId: "user_42",
  exp: Math.floor(NOW.getTime() / 1000) + 3600,
  scope: "view+appeal",
};

describe("view tokens", () => {
  it("round-trip their claims until they expire", () => {
    const token = signViewToken(CLAIMS, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyViewToken(token, SECRET, NOW)).toEqual({ ok: true, claims: CLAIMS });
    expect(verifyViewToken(token, Buffer.from(SECRET), NOW).ok).toBe(true);
  });

  it("expire at exp (exclusive)", () => {
    const token = signViewToken(CLAIMS, SECRET);
    expect(verifyViewToken(token, SECRET, new Date(CLAIMS.exp * 1000 - 1)).ok).toBe(true);
    expect(verifyViewToken(token, SECRET, new Date(CLAIMS.exp * 1000))).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("reject a wrong secret", () => {
    const token = signViewToken(CLAIMS, SECRET);
    expect(verifyViewToken(token, `${SECRET}x`, NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reject claims changed to another session, even with the old signature", () => {
    const [, sig] = signViewToken(CLAIMS, SECRET).split(".");
    const other = Buffer.from(JSON.stringify({ ...CLAIMS, sessionId: "ses_2" })).toString("base64url");
    expect(verifyViewToken(`${other}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reject any single changed character of the signature", () => {
    const token = signViewToken(CLAIMS, SECRET);
    const dot = token.indexOf(".");
    for (let i = dot + 1; i < token.length; i++) {
      const c = token[i] === "A" ? "B" : "A";
      const tampered = `${token.slice(0, i)}${c}${token.slice(i + 1)}`;
      expect(verifyViewToken(tampered, SECRET, NOW).ok, `char ${i}`).toBe(false);
    }
  });

  it("cannot be forged with a plain HMAC over the payload (the MAC is domain-separated)", () => {
    const payload = Buffer.from(JSON.stringify(CLAIMS)).toString("base64url");
    const naive = createHmac("sha256", SECRET).update(payload).digest("base64url");
    expect(verifyViewToken(`${payload}.${naive}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it.each(["", ".", "abc", "a.b.c", "a b.c", "%%%.%%%", "x".repeat(5000)])("call %j malformed", (token) => {
    expect(verifyViewToken(token, SECRET, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("calls a correctly signed but invalid payload malformed", () => {
    const payload = Buffer.from(JSON.stringify({ tenantId: "t" })).toString("base64url");
    const sig = createHmac("sha256", SECRET)
      .update("candor.view-token.v1\n")
      .update(payload)
      .digest("base64url");
    expect(verifyViewToken(`${payload}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("leaves matching the claims to the caller: a valid token for session A is valid, and says A", () => {
    const result = verifyViewToken(signViewToken(CLAIMS, SECRET), SECRET, NOW);
    expect(result.ok && result.claims.sessionId).toBe("ses_1");
    expect(result.ok && result.claims.tenantId).toBe("ten_1");
  });

  it("refuse to sign with an empty secret or invalid claims", () => {
    expect(() => signViewToken(CLAIMS, "")).toThrow(RangeError);
    expect(() => signViewToken({ ...CLAIMS, scope: "admin" as ViewClaims["scope"] }, SECRET)).toThrow();
    expect(() => signViewToken({ ...CLAIMS, sessionId: "" }, SECRET)).toThrow();
    expect(() => signViewToken({ ...CLAIMS, exp: 1.5 }, SECRET)).toThrow();
    expect(() => signViewToken({ ...CLAIMS, userId: 7 as unknown as string }, SECRET)).toThrow();
  });

  it("sign only the known claims: an extra key is not carried into the token", () => {
    const token = signViewToken({ ...CLAIMS, admin: true } as ViewClaims, SECRET);
    const result = verifyViewToken(token, SECRET, NOW);
    expect(result.ok).toBe(true);
    expect(result.ok && result.claims).toEqual(CLAIMS);
  });
});
