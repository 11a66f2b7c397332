/**
 * A fast mock of the Anthropic Messages API for benchmarks: plain node:http (no framework, so the mock is never
 * the bottleneck), keep-alive on, `POST /v1/messages` as JSON or SSE in Anthropic's exact event order
 * (message_start, content_block_start, ping, N × content_block_delta, content_block_stop, message_delta,
 * message_stop). Every delta's text starts with its send-time stamp (see stamp.ts).
 *
 * One mock serves every scenario; the reply shape comes from, in order of precedence:
 *   headers  x-mock-deltas, x-mock-delay-ms, x-mock-first-ms, x-mock-chars
 *   query    ?deltas=&delay_ms=&first_ms=&chars=
 *   model    "bench:deltas=20,delay=10,first=0,chars=12" — the only carrier that survives a proxy, since
 *            Candor forwards the body untouched but not unknown headers or the query.
 *
 * Run alone: `node --import tsx bench/mock-upstream.ts [--port N]` prints {"port":N} on stdout.
 * `--exit-with-stdin` (used by run.ts) stops it when its stdin closes, so it never outlives the bench.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { encodeStamp, STAMP_LETTERS, wallMicros } from "./stamp.js";

export interface ReplyShape {
  deltas: number;
  /** ms between deltas (0: unpaced, written back to back). */
  delayMs: number;
  /** ms before message_start (the model's time to first token). */
  firstMs: number;
  /** Characters per delta (at least 1 + STAMP_LETTERS). */
  chars: number;
}

const DEFAULT_SHAPE: ReplyShape = { deltas: 20, delayMs: 0, firstMs: 0, chars: 12 };
const FILLER = "loremipsumdolorsitametconsecteturadipiscingelitseddoeiusmodtempor";
const LIMITS = { deltas: 10_000, delayMs: 10_000, firstMs: 60_000, chars: 4_096 };

function clampInt(v: string | undefined | null, fallback: number, max: number): number {
  const n = v === undefined || v === null || v === "" ? Number.NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), max) : fallback;
}

function fromModel(model: unknown): Record<string, string> {
  if (typeof model !== "string" || !model.startsWith("bench:")) return {};
  const out: Record<string, string> = {};
  for (const part of model.slice("bench:".length).split(",")) {
    const [k, v] = part.split("=");
    if (k && v !== undefined) out[k.trim()] = v.trim();
  }
  return out;
}

/** The reply shape a request asks for (headers, then query, then the model string). */
export function shapeOf(req: IncomingMessage, url: URL, model: unknown): ReplyShape {
  const m = fromModel(model);
  const pick = (header: string, query: string, key: string): string | undefined => {
    const h = req.headers[header];
    return (typeof h === "string" ? h : undefined) ?? url.searchParams.get(query) ?? m[key];
  };
  return {
    deltas: clampInt(pick("x-mock-deltas", "deltas", "deltas"), DEFAULT_SHAPE.deltas, LIMITS.deltas),
    delayMs: clampInt(pick("x-mock-delay-ms", "delay_ms", "delay"), DEFAULT_SHAPE.delayMs, LIMITS.delayMs),
    firstMs: clampInt(pick("x-mock-first-ms", "first_ms", "first"), DEFAULT_SHAPE.firstMs, LIMITS.firstMs),
    chars: Math.max(
      STAMP_LETTERS + 1,
      clampInt(pick("x-mock-chars", "chars", "chars"), DEFAULT_SHAPE.chars, LIMITS.chars),
    ),
  };
}

/** One delta's text: a space, the send-time stamp, then filler letters up to `chars`. */
export function deltaText(chars: number): string {
  const fill = chars - 1 - STAMP_LETTERS;
  return ` ${encodeStamp(wallMicros())}${FILLER.repeat(Math.ceil(fill / FILLER.length) + 1).slice(0, fill)}`;
}

let counter = 0;
const nextId = (prefix: string): string => `${prefix}_bench${(counter++).toString(36).padStart(8, "0")}`;

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function usage(deltas: number) {
  return {
    input_tokens: 25,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: deltas,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function replyJson(res: ServerResponse, model: string, shape: ReplyShape): Promise<void> {
  const wait = shape.firstMs + shape.delayMs * shape.deltas;
  if (wait > 0) await sleep(wait);
  let text = "";
  for (let i = 0; i < shape.deltas; i++) text += deltaText(shape.chars);
  const body = JSON.stringify({
    id: nextId("msg"),
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: usage(shape.deltas),
  });
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "request-id": nextId("req"),
  });
  res.end(body);
}

async function replyStream(res: ServerResponse, model: string, shape: ReplyShape): Promise<void> {
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  if (shape.firstMs > 0) await sleep(shape.firstMs);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": nextId("req"),
  });
  const message = {
    id: nextId("msg"),
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...usage(1), output_tokens: 1 },
  };
  res.write(
    frame("message_start", { type: "message_start", message }) +
      frame("content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" },
      }) +
      frame("ping", { type: "ping" }),
  );
  for (let i = 0; i < shape.deltas && !closed; i++) {
    if (shape.delayMs > 0) await sleep(shape.delayMs);
    const delta = { type: "text_delta", text: deltaText(shape.chars) };
    res.write(frame("content_block_delta", { type: "content_block_delta", index: 0, delta }));
  }
  if (closed) return;
  res.end(
    frame("content_block_stop", { type: "content_block_stop", index: 0 }) +
      frame("message_delta", {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: shape.deltas },
      }) +
      frame("message_stop", { type: "message_stop" }),
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ type: "error", error: { type, message }, request_id: nextId("req") });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse, stats: MockStats): Promise<void> {
  const url = new URL(req.url ?? "/", "http://mock.local");
  const body = await readBody(req);
  if (req.method !== "POST" || url.pathname !== "/v1/messages") {
    return sendError(res, 404, "not_found_error", `mock: no route ${req.method} ${url.pathname}`);
  }
  let parsed: { model?: unknown; stream?: unknown };
  try {
    parsed = JSON.parse(body) as { model?: unknown; stream?: unknown };
  } catch {
    return sendError(res, 400, "invalid_request_error", "mock: body is not JSON");
  }
  stats.requests++;
  const model = typeof parsed.model === "string" ? parsed.model : "bench";
  const shape = shapeOf(req, url, parsed.model);
  if (parsed.stream === true) {
    stats.streams++;
    return replyStream(res, model, shape);
  }
  return replyJson(res, model, shape);
}

export interface MockStats {
  requests: number;
  streams: number;
}

export interface MockUpstream {
  url: string;
  port: number;
  stats: MockStats;
  close(): Promise<void>;
}

/** Starts the mock on 127.0.0.1 (port 0: a free port). */
export function startMockUpstream(port = 0): Promise<MockUpstream> {
  const stats: MockStats = { requests: 0, streams: 0 };
  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res, stats).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, "api_error", `mock: ${String(err)}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.maxRequestsPerSocket = 0;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const p = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${p}`,
        port: p,
        stats,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      "exit-with-stdin": { type: "boolean", default: false },
    },
  });
  const mock = await startMockUpstream(Number(values.port));
  process.stdout.write(`${JSON.stringify({ port: mock.port })}\n`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  if (values["exit-with-stdin"]) {
    // Dies with the bench: when the parent goes away (even killed), its end of the pipe closes.
    process.stdin.on("end", stop);
    process.stdin.resume();
  }
}
