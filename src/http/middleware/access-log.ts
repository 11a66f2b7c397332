/**
 * One structured log line and one metric per request: request id, route, status, duration, tenant. Never content,
 * never credentials (pino redaction covers headers in case a future line adds them).
 */
import { createMiddleware } from "hono/factory";
import type { Logger } from "pino";
import type { Metrics } from "../../metrics.js";
import type { RequestVars } from "./request-id.js";

export function accessLog(log: Logger, metrics: Metrics) {
  return createMiddleware<{ Variables: RequestVars & { tenant?: { id: string } } }>(async (c, next) => {
    await next();
    const route = c.req.routePath || "unmatched";
    const status = c.res.status;
    metrics.requests.inc({ route, method: c.req.method, status: String(status) });
    if (route === "/healthz" || route === "/readyz" || route === "/metrics") return;
    // At `warn` (the bench's level, a quiet production's) the line would be built only to be dropped.
    if (!log.isLevelEnabled("info")) return;
    log.info(
      {
        requestId: c.get("requestId"),
        method: c.req.method,
        route,
        status,
        ms: Math.round((performance.now() - c.get("startedAt")) * 10) / 10,
        tenant: c.get("tenant")?.id,
        upstreamRequestId: c.res.headers.get("request-id") ?? undefined,
      },
      "request",
    );
  });
}
