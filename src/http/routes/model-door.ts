/** The model door: drop-in for the Anthropic SDK's baseURL. Routes validate and hand over; the pipeline decides. */
import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import type { ProxyDeps } from "../../proxy/deps.js";
import { forwardableRequestHeaders, forwardableResponseHeaders } from "../../proxy/headers.js";
import { parseMessagesRequest } from "../../proxy/messages-request.js";
import { runMessages } from "../../proxy/pipeline.js";
import type { UpstreamCall } from "../../proxy/upstream.js";
import { upstreamErrorResponse } from "../../proxy/upstream-errors.js";
import { readJsonBody } from "../body.js";
import type { AuthVars } from "../middleware/auth.js";
import type { RequestVars } from "../middleware/request-id.js";

// Bindings: @hono/node-server's Node request, when there is one (absent under app.request() in-process).
type Env = { Variables: AuthVars & RequestVars; Bindings: Partial<HttpBindings> };

export function modelDoorRoutes(deps: ProxyDeps): Hono<Env> {
  const app = new Hono<Env>();

  app.post("/messages", async (c) => {
    const { raw, json } = await readJsonBody(c.req.raw, deps.config.maxBodyBytes, c.env?.incoming);
    const request = parseMessagesRequest(raw, json);
    const headers = c.req.raw.headers;
    const metaUser = request.body.metadata?.user_id ?? null;
    return runMessages(deps, {
      tenant: c.get("tenant"),
      requestId: c.get("requestId"),
      request,
      forwardHeaders: forwardableRequestHeaders(headers),
      hints: {
        sessionId: headers.get("x-candor-session")?.trim() || null,
        endUser: metaUser ?? (headers.get("x-candor-user")?.trim() || null),
        idempotencyKey: headers.get("idempotency-key"),
      },
      ...(c.get("clientApiKey") ? { clientApiKey: c.get("clientApiKey") } : {}),
      signal: c.req.raw.signal,
      startedAt: c.get("startedAt"),
    });
  });

  app.post("/messages/count_tokens", async (c) => {
    const { raw } = await readJsonBody(c.req.raw, deps.config.maxBodyBytes, c.env?.incoming);
    return forward(c.req.raw, c.get("requestId"), c.get("clientApiKey"), {
      method: "POST",
      path: "/v1/messages/count_tokens",
      body: raw,
    });
  });

  app.get("/models", (c) =>
    forward(c.req.raw, c.get("requestId"), c.get("clientApiKey"), {
      method: "GET",
      path: "/v1/models",
      query: Object.fromEntries(new URL(c.req.url).searchParams),
    }),
  );

  app.get("/models/:id", (c) =>
    forward(c.req.raw, c.get("requestId"), c.get("clientApiKey"), {
      method: "GET",
      path: `/v1/models/${encodeURIComponent(c.req.param("id"))}`,
    }),
  );

  /** Plain pass-through for the routes Candor does not moderate. */
  async function forward(
    req: Request,
    requestId: string,
    clientApiKey: string | undefined,
    call: Pick<UpstreamCall, "method" | "path" | "body" | "query">,
  ): Promise<Response> {
    const result = await deps.upstream.send({
      ...call,
      headers: forwardableRequestHeaders(req.headers),
      signal: req.signal,
      ...(clientApiKey ? { clientApiKey } : {}),
    });
    if (!result.ok) return upstreamErrorResponse(result, requestId, { "x-candor-request-id": requestId });
    return new Response(result.body, {
      status: result.status,
      headers: forwardableResponseHeaders(result.headers, requestId),
    });
  }

  return app;
}
