/**
 * One error type for the whole app, turned into a response in exactly one place (app.onError).
 * On the model door the body has Anthropic's shape so SDK clients raise the matching APIError subclass.
 */

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors) plus the ones Candor adds. */
export type ErrorCode =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error"
  | "timeout_error";

export const codeToStatus: Record<ErrorCode, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
  timeout_error: 504,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    opts: { status?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.status = opts.status ?? codeToStatus[code];
    this.headers = opts.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string;
}

export function errorBody(type: string, message: string, requestId: string): AnthropicErrorBody {
  return { type: "error", error: { type, message }, request_id: requestId };
}
