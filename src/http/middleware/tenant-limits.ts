/**
 * Optional per-tenant limits (tenant settings `rateLimitPerMinute`, `maxConcurrentStreams`), answered like
 * Anthropic's own: 429 rate_limit_error with retry-after. Counted per instance: behind a load balancer of N
 * instances the effective limit is up to N× the setting (docs/operations.md).
 */
import { createMiddleware } from "hono/factory";
import type { Metrics } from "../../metrics.js";
import type { Lifecycle } from "../../proxy/deps.js";
import type { Tenant } from "../../store/tenants.js";
import { AppError } from "../errors.js";

const WINDOW_MS = 60_000;

export function tenantLimits(lifecycle: Lifecycle, metrics: Metrics) {
  // Sliding log of request times per tenant (bounded by the limit itself).
  const recent = new Map<string, number[]>();

  function checkRate(tenant: Tenant, now: number): void {
    const limit = tenant.settings.rateLimitPerMinute;
    if (!limit) return;
    const times = (recent.get(tenant.id) ?? []).filter((t) => now - t < WINDOW_MS);
    if (times.length >= limit) {
      metrics.rateLimited.inc({ limit: "requests_per_minute" });
      const retryAfter = Math.max(1, Math.ceil((WINDOW_MS - (now - (times[0] ?? now))) / 1000));
      throw new AppError(
        "rate_limit_error",
        `This app is limited to ${limit} requests per minute. Retry in ${retryAfter}s.`,
        {
          headers: { "retry-after": String(retryAfter) },
        },
      );
    }
    times.push(now);
    recent.set(tenant.id, times);
  }

  return createMiddleware<{ Variables: { tenant: Tenant } }>(async (c, next) => {
    const tenant = c.get("tenant");
    checkRate(tenant, Date.now());
    const max = tenant.settings.maxConcurrentStreams;
    if (max && c.req.method === "POST" && lifecycle.streamsOf(tenant.id) >= max) {
      metrics.rateLimited.inc({ limit: "concurrent_streams" });
      throw new AppError(
        "rate_limit_error",
        `This app may have at most ${max} replies streaming at once. Retry shortly.`,
        {
          headers: { "retry-after": "1" },
        },
      );
    }
    await next();
  });
}
