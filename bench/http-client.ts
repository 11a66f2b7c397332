/**
 * The bench's own HTTP client: node:http with a keep-alive agent (Node 20's fetch costs ~0.8 ms of CPU per
 * request on this machine, which would measure the client rather than the server). One call = one POST, timed
 * from when it was sent (or scheduled) to the first body byte and to the end, with streamed text decoded.
 */
import { Agent, request } from "node:http";
import { createParser } from "eventsource-parser";
import { decodeStamp, STAMP_LETTERS, wallMicros } from "./stamp.js";

/** Where requests go: the mock directly, Candor, or another proxy. */
export interface Target {
  name: string;
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  headers: Record<string, string>;
}

export interface CallResult {
  status: number;
  /** ms from `startedAt` to the response's first body byte. */
  ttfbMs: number;
  /** ms from `startedAt` to the first streamed text (streams only; NaN otherwise). */
  ttftMs: number;
  totalMs: number;
  /** Streams: ms each delta took from the mock's send to its last character here (from its stamp). */
  deltaLagMs: number[];
  text: string;
  error: string | null;
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, keepAliveMsecs: 30_000 });
}

export interface CallOptions {
  target: Target;
  body: string;
  agent: Agent;
  /** performance.now() the latency counts from (open loop: the scheduled send time). */
  startedAt?: number;
  timeoutMs: number;
  /** Characters per streamed delta, when the reply is a stamped stream (enables deltaLagMs). */
  deltaChars?: number;
  extraHeaders?: Record<string, string>;
}

/** Streamed text tracker: decodes each complete delta's stamp as it arrives. */
function deltaTracker(chars: number | undefined) {
  const lags: number[] = [];
  let text = "";
  let done = 0;
  return {
    lags,
    text: () => text,
    add(piece: string) {
      text += piece;
      if (!chars) return;
      const now = wallMicros();
      while ((done + 1) * chars <= text.length) {
        const stamp = text.slice(done * chars + 1, done * chars + 1 + STAMP_LETTERS);
        const sent = decodeStamp(stamp, now);
        if (sent !== null) lags.push((now - sent) / 1000);
        done++;
      }
    },
  };
}

/** One POST /v1/messages. Never rejects: failures come back in `error`. */
export function postMessages(opts: CallOptions): Promise<CallResult> {
  const started = opts.startedAt ?? performance.now();
  const url = new URL("/v1/messages", opts.target.url);
  const tracker = deltaTracker(opts.deltaChars);
  let ttfb = Number.NaN;
  let ttft = Number.NaN;
  let status = 0;
  let raw = "";
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const text = tracker.text() || raw;
      const totalMs = performance.now() - started;
      resolve({ status, ttfbMs: ttfb, ttftMs: ttft, totalMs, deltaLagMs: tracker.lags, text, error });
    };
    const parser = createParser({
      onEvent(e) {
        if (e.event !== "content_block_delta") return;
        const d = JSON.parse(e.data) as { delta?: { type?: string; text?: string } };
        if (d.delta?.type === "text_delta" && typeof d.delta.text === "string" && d.delta.text.length > 0) {
          if (Number.isNaN(ttft)) ttft = performance.now() - started;
          tracker.add(d.delta.text);
        }
      },
    });
    const req = request(
      url,
      {
        method: "POST",
        agent: opts.agent,
        headers: {
          ...opts.target.headers,
          ...opts.extraHeaders,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(opts.body),
        },
      },
      (res) => {
        status = res.statusCode ?? 0;
        const sse = String(res.headers["content-type"] ?? "").startsWith("text/event-stream");
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (Number.isNaN(ttfb)) ttfb = performance.now() - started;
          if (sse) parser.feed(chunk);
          else raw += chunk;
        });
        res.on("end", () =>
          finish(status >= 200 && status < 300 ? null : `HTTP ${status}: ${raw.slice(0, 200)}`),
        );
        res.on("error", (err) => finish(String(err)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error("timeout"));
      finish("timeout");
    }, opts.timeoutMs);
    req.on("error", (err) => finish(String(err)));
    req.end(opts.body);
  });
}

/** Text of a non-streaming reply body (for conversations that resend it). */
export function replyText(raw: string): string {
  const body = JSON.parse(raw) as { content?: Array<{ type?: string; text?: string }> };
  return (body.content ?? []).map((b) => (b.type === "text" ? (b.text ?? "") : "")).join("");
}
