/**
 * Client authentication on the model door: a Candor app key in `x-api-key` or `Authorization: Bearer` (the
 * official SDK 1.x sends the latter). Keys are looked up by hash; a short-lived cache keeps the database off the
 * hot path. In pass-through mode an Anthropic key (sk-ant-…) is forwarded upstream and maps to its own tenant.
 */
import { createMiddleware } from "hono/factory";
import type { Db } from "../../store/db.js";
import { sha256Hex } from "../../store/ids.js";
import { ensureTenant, findTenantByKey, type Tenant } from "../../store/tenants.js";
import { AppError } from "../errors.js";

export type AuthVars = { tenant: Tenant; clientApiKey: string | undefined };

export function presentedKey(headers: Headers): string | null {
  const apiKey = headers.get("x-api-key");
  if (apiKey) return apiKey.trim();
  const auth = headers.get("authorization");
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return m?.[1] ?? null;
}

const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;

export type TenantAuth = ReturnType<typeof createTenantAuth>;

export function createTenantAuth(db: Db, opts: { passthroughKeys: boolean }) {
  const cache = new Map<string, { tenant: Tenant; until: number }>();

  async function lookup(key: string): Promise<{ tenant: Tenant; clientApiKey: string | undefined } | null> {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return { tenant: hit.tenant, clientApiKey: passthrough(key) };
    let tenant: Tenant | undefined;
    if (opts.passthroughKeys && key.startsWith("sk-ant-")) {
      tenant = await ensureTenant(db, `upstream-key:${sha256Hex(key).slice(0, 16)}`);
    } else {
      tenant = await findTenantByKey(db, key);
    }
    if (!tenant) return null;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { tenant, until: Date.now() + CACHE_MS });
    return { tenant, clientApiKey: passthrough(key) };
  }

  function passthrough(key: string): string | undefined {
    return opts.passthroughKeys && key.startsWith("sk-ant-") ? key : undefined;
  }

  return {
    /** Resolve a presented key without a request (used by the transparency door too). */
    lookup,
    middleware: createMiddleware<{ Variables: AuthVars }>(async (c, next) => {
      const key = presentedKey(c.req.raw.headers);
      if (!key) {
        throw new AppError(
          "authentication_error",
          "Missing API key: send your Candor app key in x-api-key or Authorization: Bearer.",
        );
      }
      const found = await lookup(key);
      if (!found) throw new AppError("authentication_error", "Invalid API key.");
      c.set("tenant", found.tenant);
      c.set("clientApiKey", found.clientApiKey);
      await next();
    }),
  };
}
