/**
 * Operator / moderator endpoints: `Authorization: Bearer <CANDOR_ADMIN_TOKEN>`. Without a configured token these
 * endpoints are off (403 saying how to turn them on) rather than open; a wrong or missing token is 401.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { AppError } from "../errors.js";

export type AdminVars = { admin: true };

// Comparing digests keeps the comparison constant-time whatever the presented token's length.
const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Bearer-token check against the configured admin token (config.adminToken). */
export function createAdminAuth(adminToken: string | undefined) {
  const expected = adminToken ? digest(adminToken) : null;
  return createMiddleware<{ Variables: AdminVars }>(async (c, next) => {
    if (!expected) {
      throw new AppError(
        "permission_error",
        "Moderator endpoints are disabled: set CANDOR_ADMIN_TOKEN (16+ characters) and restart Candor.",
      );
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new AppError("authentication_error", "Send the admin token as Authorization: Bearer <token>.");
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      throw new AppError("authentication_error", "Invalid admin token.");
    }
    c.set("admin", true);
    return next();
  });
}
