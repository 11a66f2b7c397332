/**
 * Signed view tokens: what an end user carries in an explanation link instead of an account. The
 * token proves Candor issued these claims and when they expire; whether the claims match the session
 * being opened is the caller's check.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "./canonical-json.js";

export interface ViewClaims {
  tenantId: string;
  sessionId: string;
  userId: string | null;
  /** unix seconds */
  exp: number;
  scope: "view" | "view+appeal";
}

export type ViewTokenResult =
  | { ok: true; claims: ViewClaims }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

const claimsSchema = z.strictObject({
  tenantId: z.string().min(1),
  sessionId: z.string().min(1),
  userId: z.string().nullable(),
  exp: z.number().int().nonnegative(),
  scope: z.enum(["view", "view+appeal"]),
});

// Domain separation: the same secret may sign other things; a view-token MAC must never match them.
const MAC_CONTEXT = "candor.view-token.v1\n";
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function keyBytes(secret: Uint8Array | string): Buffer {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (key.length === 0) throw new RangeError("view token secret must not be empty");
  return key;
}

function mac(payload: string, secret: Uint8Array | string): Buffer {
  return createHmac("sha256", keyBytes(secret)).update(MAC_CONTEXT).update(payload).digest();
}

/**
 * The claims Candor is about to sign, checked and copied (extra keys dropped). A hand-written check rather than
 * `claimsSchema`: this runs on every turn (every response carries an explain link), for claims Candor built itself.
 */
function checkedClaims(c: ViewClaims): ViewClaims {
  const ok =
    typeof c.tenantId === "string" &&
    c.tenantId.length > 0 &&
    typeof c.sessionId === "string" &&
    c.sessionId.length > 0 &&
    (c.userId === null || typeof c.userId === "string") &&
    Number.isInteger(c.exp) &&
    c.exp >= 0 &&
    (c.scope === "view" || c.scope === "view+appeal");
  if (!ok) throw new TypeError("refusing to sign invalid view token claims");
  return { tenantId: c.tenantId, sessionId: c.sessionId, userId: c.userId, exp: c.exp, scope: c.scope };
}

/** `base64url(canonical JSON claims) "." base64url(HMAC-SHA256)`. */
export function signViewToken(claims: ViewClaims, secret: Uint8Array | string): string {
  const checked = checkedClaims(claims);
  const payload = Buffer.from(canonicalJson(checked), "utf8").toString("base64url");
  return `${payload}.${mac(payload, secret).toString("base64url")}`;
}

/**
 * Check the MAC (constant time), then the claims, then expiry (`exp` is exclusive: a token is expired
 * from the second it names). Never throws on a bad token.
 */
export function verifyViewToken(
  token: string,
  secret: Uint8Array | string,
  now = new Date(),
): ViewTokenResult {
  const key = keyBytes(secret);
  if (typeof token !== "string" || token.length > 4096) return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  const [payload, sig] = parts;
  if (parts.length !== 2 || !payload || !sig || !BASE64URL.test(payload) || !BASE64URL.test(sig)) {
    return { ok: false, reason: "malformed" };
  }
  const given = Buffer.from(sig, "base64url");
  const expected = mac(payload, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad_signature" };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const claims = claimsSchema.safeParse(decoded);
  if (!claims.success) return { ok: false, reason: "malformed" };
  if (now.getTime() >= claims.data.exp * 1000) return { ok: false, reason: "expired" };
  return { ok: true, claims: claims.data };
}
