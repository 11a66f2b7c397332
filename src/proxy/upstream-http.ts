/**
 * The forwarding path to a real upstream over HTTP, on undici's `request` with a keep-alive pool. The benchmark
 * measured the SDK's fetch-based call at ~1.3 ms of CPU per request against ~0.3 ms for this; the SDK stays the
 * client where its helpers matter (the simulated model in-process, the llm_judge detector). Behaviour matches the
 * SDK path (proxy/upstream.ts): the same `UpstreamResult`s, retries only before any byte reached Candor, a timeout
 * is `timeout`, an unreachable host `connection`, the client's abort `aborted`.
 */
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Agent, errors, request } from "undici";
import {
  errorTypeOf,
  transportFailure,
  type Upstream,
  type UpstreamCall,
  type UpstreamResult,
} from "./upstream.js";

export interface HttpUpstreamOptions {
  baseURL: string;
  apiKey: string | undefined;
  timeoutMs: number;
  maxRetries: number;
}

/** Anthropic's default API version, when the client sends none (the SDK always sends one). */
const DEFAULT_VERSION = "2023-06-01";

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const one of v) h.append(k, one);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

function parseError(text: string, status: number): { body: unknown; type: string; message: string } {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: typed by its status
  }
  return { body, ...errorTypeOf(body, status) };
}

const retryable = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/** The SDK's backoff: retry-after when given (≤ 60 s), else 0.5 s doubling with jitter, capped at 8 s. */
function backoffMs(attempt: number, headers: Headers | null): number {
  const after = Number(headers?.get("retry-after"));
  if (Number.isFinite(after) && after >= 0 && after <= 60) return after * 1000;
  return Math.min(500 * 2 ** attempt, 8_000) * (1 - Math.random() * 0.25);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export function createHttpUpstream(opts: HttpUpstreamOptions & { describe: string }): Upstream {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  const base = opts.baseURL.replace(/\/+$/, "");

  async function attempt(call: UpstreamCall): Promise<UpstreamResult & { retry?: boolean }> {
    const url = `${base}${call.path}${call.query && Object.keys(call.query).length ? `?${new URLSearchParams(call.query)}` : ""}`;
    const key = call.clientApiKey ?? opts.apiKey;
    const headers: Record<string, string> = {
      "anthropic-version": DEFAULT_VERSION,
      accept: "application/json",
      ...call.headers,
      ...(key ? { "x-api-key": key } : {}),
      ...(call.body !== undefined ? { "content-type": "application/json" } : {}),
    };
    try {
      const res = await request(url, {
        method: call.method,
        headers,
        ...(call.body !== undefined ? { body: call.body } : {}),
        signal: call.signal,
        dispatcher,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      const h = toHeaders(res.headers);
      const requestId = h.get("request-id");
      if (res.statusCode >= 400) {
        const e = parseError(await res.body.text(), res.statusCode);
        return {
          ok: false,
          kind: "http",
          status: res.statusCode,
          headers: h,
          body: e.body,
          errorType: e.type,
          message: e.message,
          requestId,
          retry: retryable(res.statusCode),
        };
      }
      const body = Readable.toWeb(res.body) as unknown as NodeReadableStream<Uint8Array>;
      return {
        ok: true,
        status: res.statusCode,
        headers: h,
        body: body as unknown as ReadableStream<Uint8Array>,
        requestId,
      };
    } catch (err) {
      if (call.signal.aborted) return transportFailure("aborted");
      const timedOut = err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
      return { ...transportFailure(timedOut ? "timeout" : "connection"), retry: true };
    }
  }

  return {
    describe: opts.describe,
    async send(call) {
      for (let n = 0; ; n++) {
        const { retry, ...result } = await attempt(call);
        if (result.ok || !retry || n >= opts.maxRetries || call.signal.aborted)
          return result as UpstreamResult;
        await sleep(backoffMs(n, result.kind === "http" ? result.headers : null), call.signal);
      }
    },
  };
}
