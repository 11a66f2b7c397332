/**
 * The simulated upstream's HTTP surface (a Hono app): the Messages, count_tokens and Models routes,
 * with Anthropic's headers and error shapes. It never checks API keys.
 */
import { type Context, Hono } from "hono";
import { errorBody, statusForErrorType } from "./errors.js";
import { listModels, SIMULATED_MODELS } from "./models-catalog.js";
import { planToFrames, planToMessage, type ReplyPlan } from "./plan.js";
import { countInputTokens, parseMessagesRequest } from "./request.js";
import { planReply } from "./scenarios.js";
import { type GenerationCounters, sleep, sseStream, startGeneration } from "./stream.js";
import { makeId, makeRequestId } from "./text.js";

/** The counters the app maintains (see `SimulatedModelStats`). */
export interface AppStats extends GenerationCounters {
  requests: number;
  messageRequests: number;
  lastRequest?: { path: string; headers: Record<string, string>; body: unknown };
}

/** What @hono/node-server passes as env; absent when the app is called in-process. */
interface Bindings {
  outgoing?: { socket: { destroy(): void } | null };
}

type AppEnv = { Bindings: Bindings; Variables: { requestId: string; body: unknown; bodyIsJson: boolean } };
type Ctx = Context<AppEnv>;

/** Thrown (in-process only) when a non-streaming `[sim:reset]` must drop the connection. */
export class SimulatedResetSignal extends Error {
  override name = "SimulatedResetSignal";
}

function errorJson(
  c: Ctx,
  status: number,
  type: string,
  message: string,
  extra: Record<string, string> = {},
) {
  return new Response(JSON.stringify(errorBody(type, message, c.get("requestId"))), {
    status,
    headers: { "content-type": "application/json", ...extra },
  });
}

async function readBody(c: Ctx): Promise<{ body: unknown; isJson: boolean }> {
  if (c.req.method === "GET" || c.req.method === "HEAD") return { body: undefined, isJson: true };
  const text = await c.req.text();
  if (text === "") return { body: undefined, isJson: false };
  try {
    return { body: JSON.parse(text) as unknown, isJson: true };
  } catch {
    return { body: text, isJson: false };
  }
}

function deltaCount(plan: ReplyPlan): number {
  return plan.blocks.reduce((n, b) => n + b.items.filter((i) => "delta" in i).length, 0);
}

/** Drop the connection: destroy the socket when served on a port, otherwise make fetch reject. */
function dropConnection(c: Ctx): Response {
  const socket = c.env?.outgoing?.socket;
  if (!socket) throw new SimulatedResetSignal("simulated connection reset");
  socket.destroy();
  return new Response(null, { status: 500 });
}

async function respondJson(c: Ctx, stats: AppStats, plan: ReplyPlan): Promise<Response> {
  const tracker = startGeneration(stats);
  // A non-streaming answer takes as long as its stream would have.
  const wait = plan.initialDelayMs + plan.deltaDelayMs * deltaCount(plan);
  if (!(await sleep(wait, c.req.raw.signal))) {
    tracker.finish("aborted");
    return new Response(null, { status: 499 });
  }
  const { ending } = plan;
  if (ending.kind === "reset") {
    tracker.finish("reset");
    return dropConnection(c);
  }
  tracker.finish("completed");
  if (ending.kind === "error")
    return errorJson(c, statusForErrorType(ending.errorType), ending.errorType, ending.message);
  return c.json(planToMessage(plan, makeId("msg_")));
}

async function respondStream(c: Ctx, stats: AppStats, plan: ReplyPlan): Promise<Response> {
  const tracker = startGeneration(stats);
  // A slow start holds the headers back too, so client timeouts (which stop at headers) can fire.
  if (!(await sleep(plan.initialDelayMs, c.req.raw.signal))) {
    tracker.finish("aborted");
    return new Response(null, { status: 499 });
  }
  const socket = c.env?.outgoing?.socket;
  const body = sseStream({
    frames: planToFrames(plan, makeId("msg_")),
    signal: c.req.raw.signal,
    tracker,
    destroySocket: socket ? () => socket.destroy() : undefined,
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

function addMessageRoutes(app: Hono<AppEnv>, stats: AppStats, defaultDelayMs: number): void {
  app.post("/v1/messages", async (c) => {
    stats.messageRequests++;
    if (!c.get("bodyIsJson"))
      return errorJson(c, 400, "invalid_request_error", "Request body is not valid JSON");
    const req = parseMessagesRequest(c.get("body"), { requireMaxTokens: true });
    if ("error" in req) return errorJson(c, 400, "invalid_request_error", req.error);
    const reply = planReply(req, defaultDelayMs);
    if (reply.kind === "status")
      return errorJson(c, reply.status, reply.errorType, reply.message, reply.headers);
    return req.stream ? respondStream(c, stats, reply.plan) : respondJson(c, stats, reply.plan);
  });
  app.post("/v1/messages/count_tokens", (c) => {
    if (!c.get("bodyIsJson"))
      return errorJson(c, 400, "invalid_request_error", "Request body is not valid JSON");
    const req = parseMessagesRequest(c.get("body"), { requireMaxTokens: false });
    if ("error" in req) return errorJson(c, 400, "invalid_request_error", req.error);
    return c.json({ input_tokens: countInputTokens(req) });
  });
}

function addModelRoutes(app: Hono<AppEnv>): void {
  app.get("/v1/models", (c) => c.json(listModels(c.req.query())));
  app.get("/v1/models/:id", (c) => {
    const id = c.req.param("id");
    const found = SIMULATED_MODELS.find((m) => m.id === id);
    return found ? c.json(found) : errorJson(c, 404, "not_found_error", `model: ${id}`);
  });
}

/** Build the simulated upstream's Hono app; it updates `stats` as requests arrive and streams end. */
export function createSimulatedApp(stats: AppStats, defaultDelayMs: number): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    stats.requests++;
    const requestId = makeRequestId();
    c.set("requestId", requestId);
    const { body, isJson } = await readBody(c);
    c.set("body", body);
    c.set("bodyIsJson", isJson);
    stats.lastRequest = {
      path: new URL(c.req.url).pathname,
      headers: Object.fromEntries(c.req.raw.headers),
      body,
    };
    await next();
    c.res.headers.set("request-id", requestId);
  });
  addMessageRoutes(app, stats, defaultDelayMs);
  addModelRoutes(app);
  app.notFound((c) => errorJson(c, 404, "not_found_error", `Not found: ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof SimulatedResetSignal) throw err;
    return errorJson(c, 500, "api_error", "Internal server error (simulated model)");
  });
  return app;
}
