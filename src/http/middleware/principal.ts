/**
 * Who is asking on the transparency door: a tenant (its app key: sees its whole tenant) or an end user (a signed
 * view token from an x-candor-explain link: sees one session, nothing else). Anything else is refused. A session
 * outside the principal's reach is answered 404, exactly like one that does not exist.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { verifyViewToken } from "../../transparency/view-token.js";
import { AppError } from "../errors.js";
import { presentedKey, type TenantAuth } from "./auth.js";

export type Principal =
  | { kind: "tenant"; tenantId: string }
  | { kind: "viewer"; tenantId: string; sessionId: string; userId: string | null; canAppeal: boolean };

export type PrincipalVars = { principal: Principal };

/** A view token is two base64url parts; an app key starts with cnd_ (or sk-ant- in pass-through mode). */
function viewTokenOf(c: Context): string | null {
  const fromQuery = c.req.query("token");
  if (fromQuery) return fromQuery;
  const header = c.req.header("x-candor-view-token");
  if (header) return header.trim();
  const key = presentedKey(c.req.raw.headers);
  return key && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(key) ? key : null;
}

export function createPrincipalAuth(auth: TenantAuth, viewSecret: string) {
  return createMiddleware<{ Variables: PrincipalVars }>(async (c, next) => {
    const token = viewTokenOf(c);
    if (token) {
      const result = verifyViewToken(token, viewSecret);
      if (!result.ok) {
        const why =
          result.reason === "expired"
            ? "The link has expired; ask the app for a new one."
            : "The view token is not valid.";
        throw new AppError("authentication_error", why);
      }
      const { tenantId, sessionId, userId, scope } = result.claims;
      c.set("principal", { kind: "viewer", tenantId, sessionId, userId, canAppeal: scope === "view+appeal" });
      return next();
    }
    const key = presentedKey(c.req.raw.headers);
    if (!key)
      throw new AppError(
        "authentication_error",
        "Send your Candor app key, or open the link with its view token.",
      );
    const found = await auth.lookup(key);
    if (!found) throw new AppError("authentication_error", "Invalid API key.");
    c.set("principal", { kind: "tenant", tenantId: found.tenant.id });
    return next();
  });
}

/** The session id a principal may see, or a 404 (never a 403: existence is not disclosed). */
export function assertSessionAccess(p: Principal, sessionId: string): void {
  if (p.kind === "viewer" && p.sessionId !== sessionId) {
    throw new AppError("not_found_error", `No session ${sessionId}.`);
  }
}
