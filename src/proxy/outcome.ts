/**
 * How a turn ended, in one vocabulary. Every early exit and every stream end becomes an `Ending`; the pipeline
 * records it (one transaction with the final snapshot) and answers from it, in one place each.
 */
import type { RuleMatch } from "../policy/types.js";
import type { TurnEnding } from "../store/schema/turns.js";
import type { Cause } from "../transparency/causes.js";
import { causeForStopReason, causeForUpstreamError } from "../transparency/causes.js";
import type { AccumulatedMessage } from "./accumulate.js";
import type { RelayEnd, WithheldBlock } from "./relay.js";
import type { UpstreamResult } from "./upstream.js";

export interface Ending {
  turnEnding: TurnEnding;
  /** The intervention cause to record, or null when nothing needs explaining (a completed turn). */
  cause: Cause | null;
  /** The assistant output as forwarded (partial or complete), if any. */
  message: AccumulatedMessage | null;
  /** Output-stage policy matches (input ones are recorded when the turn opens). */
  outputMatches: RuleMatch[];
  error: { type: string; status: number | null; message: string | null } | null;
  upstreamRequestId: string | null;
  /** Did any byte of the reply reach the client before the end? */
  midStream: boolean;
  /** Original text of blocks the output screen changed (moderators only). */
  withheld?: WithheldBlock[];
}

function turnEndingFor(cause: Cause | null): TurnEnding {
  switch (cause) {
    case null:
      return "completed";
    case "upstream_refusal":
    case "upstream_overloaded":
    case "upstream_error":
    case "quota_or_billing":
    case "request_rejected":
    case "length_limit":
    case "context_limit":
    case "client_disconnect":
    case "proxy_error":
    case "shutdown":
      return cause;
    case "policy_block":
      return "blocked";
    default:
      return "completed";
  }
}

/** A stream or body that finished normally: completed, or a stop reason that needs explaining. */
export function endingForFinished(message: AccumulatedMessage, upstreamRequestId: string | null): Ending {
  const cause = causeForStopReason(message.stopReason);
  return {
    turnEnding: turnEndingFor(cause),
    cause,
    message,
    outputMatches: [],
    error: null,
    upstreamRequestId,
    midStream: true,
  };
}

/** The upstream answered with an error status, or could not be reached, before any byte was forwarded. */
export function endingForUpstreamFailure(result: Exclude<UpstreamResult, { ok: true }>): Ending {
  if (result.kind === "http") {
    const cause = causeForUpstreamError(result.status, result.errorType);
    return {
      turnEnding: turnEndingFor(cause),
      cause,
      message: null,
      outputMatches: [],
      error: { type: result.errorType, status: result.status, message: result.message || null },
      upstreamRequestId: result.requestId,
      midStream: false,
    };
  }
  const cause: Cause = result.kind === "aborted" ? "client_disconnect" : "upstream_error";
  const type =
    result.kind === "timeout" ? "timeout_error" : result.kind === "aborted" ? "aborted" : "api_error";
  return {
    turnEnding: result.kind === "aborted" ? "client_disconnect" : "upstream_error",
    cause,
    message: null,
    outputMatches: [],
    error: { type, status: null, message: result.message },
    upstreamRequestId: null,
    midStream: false,
  };
}

/** How a relayed stream ended. */
export function endingForRelay(end: RelayEnd, upstreamRequestId: string | null): Ending {
  const base = {
    message: end.message,
    outputMatches: end.matches,
    withheld: end.withheld,
    upstreamRequestId,
    midStream: true,
    error: null,
  };
  switch (end.kind) {
    case "finished":
      return {
        ...endingForFinished(end.message, upstreamRequestId),
        outputMatches: end.matches,
        withheld: end.withheld,
      };
    case "upstream_error_event": {
      const type = end.errorType ?? "api_error";
      const cause = causeForUpstreamError(null, type);
      return {
        ...base,
        turnEnding: turnEndingFor(cause),
        cause,
        error: { type, status: null, message: null },
      };
    }
    case "reset":
      return {
        ...base,
        turnEnding: "connection_reset",
        cause: "upstream_error",
        error: {
          type: "connection_reset",
          status: null,
          message: "the upstream connection closed mid-reply",
        },
      };
    case "blocked":
      return { ...base, turnEnding: "blocked", cause: "policy_block" };
    case "client_disconnect":
      return { ...base, turnEnding: "client_disconnect", cause: "client_disconnect" };
    case "shutdown":
      return { ...base, turnEnding: "shutdown", cause: "shutdown" };
    case "proxy_error":
      return {
        ...base,
        turnEnding: "proxy_error",
        cause: "proxy_error",
        error: { type: "proxy_error", status: null, message: null },
      };
  }
}
