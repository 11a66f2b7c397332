/**
 * Upstream failures keep their status and type, so the SDK raises the same APIError subclass it would have raised
 * talking to the model directly. Connection failures become 502 api_error, timeouts 504 timeout_error.
 */
import type { UpstreamResult } from "./upstream.js";

export function upstreamErrorResponse(
  result: Exclude<UpstreamResult, { ok: true }>,
  requestId: string,
  candorHeaders: Record<string, string>,
): Response {
  if (result.kind === "http") {
    const headers: Record<string, string> = { ...candorHeaders, "content-type": "application/json" };
    for (const name of ["retry-after", "retry-after-ms", "x-should-retry"]) {
      const v = result.headers.get(name);
      if (v !== null) headers[name] = v;
    }
    for (const [k, v] of result.headers) if (k.startsWith("anthropic-ratelimit-")) headers[k] = v;
    headers["request-id"] = result.requestId ?? requestId;
    const body = isAnthropicError(result.body)
      ? { ...result.body, request_id: result.body.request_id ?? result.requestId ?? requestId }
      : {
          type: "error",
          error: { type: result.errorType, message: result.message || "upstream error" },
          request_id: requestId,
        };
    return new Response(JSON.stringify(body), { status: result.status, headers });
  }
  const status = result.kind === "timeout" ? 504 : result.kind === "aborted" ? 499 : 502;
  const type = result.kind === "timeout" ? "timeout_error" : "api_error";
  const message =
    result.kind === "timeout"
      ? "The model provider did not answer in time. Your message is saved; retry."
      : "The model provider could not be reached. Your message is saved; retry.";
  return Response.json(
    { type: "error", error: { type, message }, request_id: requestId },
    { status, headers: { ...candorHeaders, "request-id": requestId } },
  );
}

function isAnthropicError(body: unknown): body is { type: "error"; error: unknown; request_id?: string } {
  return (
    !!body && typeof body === "object" && (body as { type?: unknown }).type === "error" && "error" in body
  );
}
