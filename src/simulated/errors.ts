/**
 * Anthropic's error vocabulary: which `error.type` goes with which HTTP status, and the JSON body
 * `{"type":"error","error":{"type","message"},"request_id"}` that SDK clients turn into `APIError` subclasses.
 */

/** HTTP status → Anthropic error type, as documented for the Messages API. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const STATUS_BY_TYPE: Record<string, number> = Object.fromEntries(
  Object.entries(TYPE_BY_STATUS).map(([status, type]) => [type, Number(status)]),
);

const DEFAULT_MESSAGES: Record<string, string> = {
  invalid_request_error: "Invalid request (simulated)",
  authentication_error: "invalid x-api-key (simulated)",
  billing_error: "Your credit balance is too low to access the Anthropic API (simulated)",
  permission_error: "Your API key does not have permission to use the specified resource (simulated)",
  not_found_error: "Not found (simulated)",
  request_too_large: "Request exceeds the maximum allowed number of bytes (simulated)",
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit (simulated)",
  api_error: "Internal server error (simulated)",
  timeout_error: "Request timed out (simulated)",
  overloaded_error: "Overloaded",
};

/** The error type Anthropic uses for an HTTP status (5xx without a name → `api_error`). */
export function errorTypeForStatus(status: number): string {
  const known = TYPE_BY_STATUS[status];
  if (known) return known;
  return status >= 500 ? "api_error" : "invalid_request_error";
}

/** The HTTP status that goes with an error type (unknown types → 500). */
export function statusForErrorType(type: string): number {
  return STATUS_BY_TYPE[type] ?? 500;
}

/** A plausible default message for an error type. */
export function defaultErrorMessage(type: string): string {
  return DEFAULT_MESSAGES[type] ?? `Simulated ${type}`;
}

/** The `data` of an in-stream `event: error` frame (Anthropic sends no request_id there). */
export interface StreamErrorPayload {
  type: "error";
  error: { type: string; message: string };
}

/** An HTTP error body in Anthropic's shape. */
export interface ErrorBody extends StreamErrorPayload {
  request_id: string;
}

/** Build an HTTP error body in Anthropic's shape. */
export function errorBody(type: string, message: string, requestId: string): ErrorBody {
  return { type: "error", error: { type, message }, request_id: requestId };
}
