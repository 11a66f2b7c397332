/**
 * The upstream door: one call shape for every route, answered by the Anthropic SDK built with explicit options
 * (no env lookups, our own retry and timeout policy). The SDK's retries happen only before any byte of the response
 * reached Candor, so they can never duplicate output the client already saw.
 */
import Anthropic from "@anthropic-ai/sdk";
import { Agent, fetch as undiciFetch } from "undici";

export interface UpstreamCall {
  method: "GET" | "POST";
  /** e.g. /v1/messages, /v1/messages/count_tokens, /v1/models */
  path: string;
  /** The raw JSON request body, forwarded as bytes (no re-serialisation). */
  body?: string;
  query?: Record<string, string>;
  /** Client headers Candor forwards (anthropic-version, anthropic-beta, …). */
  headers: Record<string, string>;
  /** Pass-through mode: the client's own Anthropic key. */
  clientApiKey?: string;
  signal: AbortSignal;
}

export type UpstreamResult =
  | {
      ok: true;
      status: number;
      headers: Headers;
      body: ReadableStream<Uint8Array> | null;
      requestId: string | null;
    }
  | {
      ok: false;
      kind: "http";
      status: number;
      headers: Headers;
      /** The upstream's error body (Anthropic shape when the upstream is Anthropic-compatible). */
      body: unknown;
      errorType: string;
      message: string;
      requestId: string | null;
    }
  | { ok: false; kind: "connection" | "timeout" | "aborted"; message: string; requestId: null };

type TransportFailure = Extract<UpstreamResult, { kind: "connection" | "timeout" | "aborted" }>;

const FAILURE_MESSAGES: Record<TransportFailure["kind"], string> = {
  aborted: "aborted by the client",
  timeout: "the upstream did not answer in time",
  connection: "the upstream could not be reached",
};

/** A call that got no HTTP answer, worded the same for every upstream client. */
export function transportFailure(kind: TransportFailure["kind"]): TransportFailure {
  return { ok: false, kind, message: FAILURE_MESSAGES[kind], requestId: null };
}

export interface Upstream {
  readonly describe: string;
  send(call: UpstreamCall): Promise<UpstreamResult>;
}

export interface UpstreamOptions {
  baseURL: string;
  apiKey: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  /** Injected fetch: the simulated model's in-process handler, or undici with keep-alive. */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  describe: string;
}

/** A keep-alive undici agent: reuses upstream connections across requests (a new TLS handshake costs ms). */
export function keepAliveFetch(): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
  return (input, init) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
}

/** The error type and message of an upstream's error body (Anthropic's shape), or a default by status. */
export function errorTypeOf(body: unknown, status: number): { type: string; message: string } {
  if (body && typeof body === "object" && "error" in body) {
    const e = (body as { error?: { type?: unknown; message?: unknown } }).error;
    if (e && typeof e.type === "string") {
      return { type: e.type, message: typeof e.message === "string" ? e.message : "" };
    }
  }
  return { type: status >= 500 ? "api_error" : "invalid_request_error", message: "" };
}

export function createUpstream(opts: UpstreamOptions): Upstream {
  const client = new Anthropic({
    apiKey: opts.apiKey ?? "passthrough",
    baseURL: opts.baseURL,
    timeout: opts.timeoutMs,
    maxRetries: opts.maxRetries,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });

  async function send(call: UpstreamCall): Promise<UpstreamResult> {
    const headers: Record<string, string | null> = { ...call.headers };
    if (call.body !== undefined) headers["content-type"] = "application/json";
    if (call.clientApiKey) {
      headers.authorization = null;
      headers["x-api-key"] = call.clientApiKey;
    }
    try {
      const response = await client
        .request({
          method: call.method === "GET" ? "get" : "post",
          path: call.path,
          ...(call.query ? { query: call.query } : {}),
          ...(call.body !== undefined ? { body: call.body } : {}),
          headers,
          signal: call.signal,
          // Tells the SDK not to parse: we only want the raw Response.
          stream: true,
        })
        .asResponse();
      return {
        ok: true,
        status: response.status,
        headers: response.headers,
        body: response.body,
        requestId: response.headers.get("request-id"),
      };
    } catch (err) {
      return classifyError(err);
    }
  }

  return { describe: opts.describe, send };
}

function classifyError(err: unknown): UpstreamResult {
  if (err instanceof Anthropic.APIUserAbortError) return transportFailure("aborted");
  if (err instanceof Anthropic.APIConnectionTimeoutError) return transportFailure("timeout");
  if (err instanceof Anthropic.APIConnectionError) return transportFailure("connection");
  if (err instanceof Anthropic.APIError && typeof err.status === "number") {
    const { type, message } = errorTypeOf(err.error, err.status);
    return {
      ok: false,
      kind: "http",
      status: err.status,
      headers: err.headers ?? new Headers(),
      body: err.error,
      errorType: type,
      message,
      requestId: err.requestID ?? null,
    };
  }
  throw err;
}
