/** Which upstream response headers reach the client, and the ones Candor adds. */

// Hop-by-hop or recomputed by Node: never copied.
const DROP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "date",
  "server",
]);

/** Upstream headers (request-id, anthropic-ratelimit-*, retry-after…) plus Candor's own request id. */
export function forwardableResponseHeaders(
  headers: Headers,
  candorRequestId: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    if (!DROP.has(key)) out[key] = value;
  });
  if (!out["request-id"]) out["request-id"] = candorRequestId;
  out["x-candor-request-id"] = candorRequestId;
  return out;
}

/** Client request headers forwarded upstream. Authentication is never forwarded (the key is Candor's). */
export function forwardableRequestHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["anthropic-version", "anthropic-beta", "idempotency-key"]) {
    const v = headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}
