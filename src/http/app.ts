/**
 * createApp(deps): the whole HTTP surface, built from injected services (no globals, no env reads), so tests run
 * many apps side by side. Errors become responses in exactly one place: onError.
 */
import { Hono } from "hono";
import type { ProxyDeps } from "../proxy/deps.js";
import type { Store } from "../store/db.js";
import type { LogSigner } from "../store/merkle-log.js";
import type { SigningKey } from "../transparency/checkpoint.js";
import { AppError, errorBody } from "./errors.js";
import { accessLog } from "./middleware/access-log.js";
import { createAdminAuth } from "./middleware/admin.js";
import { createTenantAuth } from "./middleware/auth.js";
import { createPrincipalAuth } from "./middleware/principal.js";
import { type RequestVars, requestId } from "./middleware/request-id.js";
import { tenantLimits } from "./middleware/tenant-limits.js";
import { interventionRoutes } from "./routes/interventions.js";
import { modelDoorRoutes } from "./routes/model-door.js";
import { moderationRoutes } from "./routes/moderation.js";
import { sessionRoutes } from "./routes/sessions.js";

export interface AppDeps extends ProxyDeps {
  store: Store;
  /** HMAC secret of view tokens. */
  viewSecret: string;
  /** The log's signing key: routes use only its public half (receipts, checkpoints). */
  signingKey: Pick<SigningKey, "keyId" | "publicKeyPem">;
  /** Signs checkpoints of the log (the timer in services, and receipts on demand). */
  logSigner: LogSigner;
  /** Is the service ready (migrations applied, policies loaded)? For /readyz. */
  readiness(): Promise<{ ready: boolean; checks: Record<string, string> }>;
}

export function createApp(deps: AppDeps): Hono<{ Variables: RequestVars }> {
  const app = new Hono<{ Variables: RequestVars }>();
  const auth = createTenantAuth(deps.db, { passthroughKeys: deps.config.passthroughKeys });

  app.use("*", requestId);
  app.use("*", accessLog(deps.log, deps.metrics));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/metrics", async (c) => {
    deps.metrics.inFlightStreams.set(deps.lifecycle.inFlight());
    return c.text(await deps.metrics.registry.metrics(), 200, {
      "content-type": deps.metrics.registry.contentType,
    });
  });
  app.get("/readyz", async (c) => {
    const r = await deps.readiness();
    return c.json({ status: r.ready ? "ready" : "not_ready", checks: r.checks }, r.ready ? 200 : 503);
  });

  const principal = createPrincipalAuth(auth, deps.viewSecret);
  for (const path of ["/v1/messages", "/v1/messages/*", "/v1/models", "/v1/models/*"])
    app.use(path, auth.middleware);
  app.use("/v1/messages", tenantLimits(deps.lifecycle, deps.metrics));
  for (const path of ["/v1/sessions", "/v1/sessions/*"]) app.use(path, principal);
  app.route("/v1", modelDoorRoutes(deps));
  app.route("/v1", sessionRoutes(deps));
  for (const path of ["/v1/interventions", "/v1/interventions/*"]) app.use(path, principal);
  for (const path of ["/v1/moderation", "/v1/moderation/*"])
    app.use(path, createAdminAuth(deps.config.adminToken));
  app.route("/v1", interventionRoutes(deps));
  app.route("/v1", moderationRoutes(deps));

  app.notFound((c) =>
    c.json(
      errorBody(
        "not_found_error",
        `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`,
        c.get("requestId"),
      ),
      404,
    ),
  );

  app.onError((err, c) => {
    const id = c.get("requestId") ?? "unknown";
    if (err instanceof AppError) {
      if (err.status >= 500) deps.log.error({ requestId: id, err }, "request failed");
      return c.json(errorBody(err.code, err.message, id), err.status as 400, err.headers);
    }
    deps.log.error({ requestId: id, err }, "unhandled error");
    return c.json(
      errorBody("api_error", `Internal error in Candor (reference ${id}). Your content is saved.`, id),
      500,
    );
  });

  return app;
}
