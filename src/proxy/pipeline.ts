/**
 * The Messages pipeline, in stage order — the one place that order is written:
 *
 *   session.resolve → policy (input) → store (input durable, turn opened) → upstream → relay (output screen,
 *   journal) → outcome → record (snapshot + interventions, one transaction) → response
 *
 * Every way out goes through `finishTurn`, so the record and the answer are each made in one place.
 */
import type { Tenant } from "../store/tenants.js";
import { accumulateMessageBody } from "./accumulate.js";
import type { ProxyDeps } from "./deps.js";
import { type FinishedTurn, finishTurn } from "./finish-turn.js";
import { forwardableResponseHeaders } from "./headers.js";
import type { MessagesRequest } from "./messages-request.js";
import { blockedInputStream, blockedMessageBody, errorFrame, interventionFrame } from "./notices.js";
import { type OpenedTurn, openTurnDurably } from "./open-turn.js";
import { type Ending, endingForFinished, endingForRelay, endingForUpstreamFailure } from "./outcome.js";
import { relayStream } from "./relay.js";
import { type ScreenedBody, screenNonStreaming } from "./screen-body.js";
import { upstreamErrorResponse } from "./upstream-errors.js";

export interface MessagesCall {
  tenant: Tenant;
  requestId: string;
  request: MessagesRequest;
  /** Client headers to forward upstream (anthropic-version, anthropic-beta…). */
  forwardHeaders: Record<string, string>;
  hints: { sessionId: string | null; endUser: string | null; idempotencyKey: string | null };
  clientApiKey?: string;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** performance.now() when the request arrived (metrics). */
  startedAt: number;
}

export async function runMessages(deps: ProxyDeps, call: MessagesCall): Promise<Response> {
  const turn = await openTurnDurably(deps, call);
  if (turn.inputBlock) return respondBlockedInput(deps, call, turn);

  const upstreamAbort = new AbortController();
  const onClientAbort = () => upstreamAbort.abort();
  call.signal.addEventListener("abort", onClientAbort, { once: true });
  const sentAt = performance.now();
  const stream = String(call.request.stream);
  deps.metrics.addedLatency.observe({ stream }, (sentAt - call.startedAt) / 1000);
  const result = await deps.upstream.send({
    method: "POST",
    path: "/v1/messages",
    body: turn.forwardBody,
    headers: call.forwardHeaders,
    ...(call.clientApiKey ? { clientApiKey: call.clientApiKey } : {}),
    signal: upstreamAbort.signal,
  });
  deps.metrics.upstreamLatency.observe(
    {
      status: result.ok
        ? String(result.status)
        : result.kind === "http"
          ? String(result.status)
          : result.kind,
    },
    (performance.now() - sentAt) / 1000,
  );
  if (!result.ok) {
    call.signal.removeEventListener("abort", onClientAbort);
    const finished = await finishTurn(deps, turn, endingForUpstreamFailure(result));
    return upstreamErrorResponse(result, call.requestId, turn.headers(finished));
  }
  const headers = forwardableResponseHeaders(result.headers, call.requestId);
  if (!call.request.stream || !result.body) {
    call.signal.removeEventListener("abort", onClientAbort);
    const answeredAt = performance.now();
    const response = await respondNonStreaming(deps, turn, result.body, headers, result.requestId);
    deps.metrics.addedLatency.observe({ stream }, (performance.now() - answeredAt) / 1000);
    deps.metrics.ttfb.observe({ stream }, (performance.now() - call.startedAt) / 1000);
    return response;
  }
  deps.metrics.ttfb.observe({ stream }, (performance.now() - call.startedAt) / 1000);
  return respondStreaming(deps, call, turn, result.body, headers, result.requestId, () =>
    call.signal.removeEventListener("abort", onClientAbort),
  );
}

function respondBlockedInput(deps: ProxyDeps, call: MessagesCall, turn: OpenedTurn): Promise<Response> {
  const block = turn.inputBlock;
  if (!block) throw new Error("respondBlockedInput without a block");
  return (async () => {
    const ending: Ending = {
      turnEnding: "blocked",
      cause: "policy_block",
      message: null,
      outputMatches: [],
      error: null,
      upstreamRequestId: null,
      midStream: false,
    };
    const finished = await finishTurn(deps, turn, ending);
    const headers = turn.headers(finished);
    const notice = turn.notice(finished);
    if (call.tenant.settings.blockResponse === "error") {
      return Response.json(
        {
          type: "error",
          error: { type: "invalid_request_error", message: notice.explanation },
          request_id: call.requestId,
        },
        { status: 400, headers },
      );
    }
    const model = call.request.body.model;
    if (call.request.stream) {
      const inband = call.tenant.settings.inbandEvents !== false;
      const body = blockedInputStream(model, notice, inband);
      return new Response(body, {
        headers: { ...headers, "content-type": "text/event-stream; charset=utf-8" },
      });
    }
    return Response.json(blockedMessageBody(model, notice, [], null), { headers });
  })();
}

async function respondNonStreaming(
  deps: ProxyDeps,
  turn: OpenedTurn,
  body: ReadableStream<Uint8Array> | null,
  upstreamHeaders: Record<string, string>,
  upstreamRequestId: string | null,
): Promise<Response> {
  const text = body ? await new Response(body).text() : "";
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    const finished = await finishTurn(deps, turn, {
      ...endingForFinished(accumulateMessageBody({}), upstreamRequestId),
      turnEnding: "upstream_error",
      cause: "upstream_error",
      error: { type: "api_error", status: null, message: "the upstream sent a body that is not JSON" },
      midStream: false,
    });
    return Response.json(
      {
        type: "error",
        error: { type: "api_error", message: "The upstream answered with an invalid body." },
        request_id: turn.requestId,
      },
      { status: 502, headers: turn.headers(finished) },
    );
  }
  const screened = await screenNonStreaming(turn.screen, parsed);
  if (screened.block)
    return respondBlockedOutput(deps, turn, parsed, screened, upstreamHeaders, upstreamRequestId);
  const outText = screened.changed ? JSON.stringify(screened.body) : text;
  const message = accumulateMessageBody(screened.body);
  // The body is journaled with the ending, before it is sent.
  const finished = await finishTurn(
    deps,
    turn,
    {
      ...endingForFinished(message, upstreamRequestId),
      outputMatches: screened.matches,
      withheld: screened.withheld,
    },
    outText,
  );
  const headers = { ...upstreamHeaders, ...turn.headers(finished), "content-type": "application/json" };
  return new Response(outText, { status: 200, headers });
}

/** A non-streaming reply the output policy blocked: only what came before the blocked block is kept. */
async function respondBlockedOutput(
  deps: ProxyDeps,
  turn: OpenedTurn,
  parsed: Record<string, unknown>,
  screened: ScreenedBody,
  upstreamHeaders: Record<string, string>,
  upstreamRequestId: string | null,
): Promise<Response> {
  const message = accumulateMessageBody({ ...parsed, content: screened.keptContent });
  const finished = await finishTurn(deps, turn, {
    ...endingForFinished(message, upstreamRequestId),
    turnEnding: "blocked",
    cause: "policy_block",
    outputMatches: screened.matches,
    withheld: screened.withheld,
  });
  const notice = turn.notice(finished);
  const body = JSON.stringify(
    blockedMessageBody(String(parsed.model ?? ""), notice, screened.keptContent, message.usage),
  );
  await deps.journal.append(turn.id, body);
  const headers = { ...upstreamHeaders, ...turn.headers(finished), "content-type": "application/json" };
  return new Response(body, { status: 200, headers });
}

function respondStreaming(
  deps: ProxyDeps,
  call: MessagesCall,
  turn: OpenedTurn,
  body: ReadableStream<Uint8Array>,
  upstreamHeaders: Record<string, string>,
  upstreamRequestId: string | null,
  detach: () => void,
): Response {
  const inband = call.tenant.settings.inbandEvents !== false;
  const stream = relayStream({
    upstream: body,
    screen: turn.screen?.createOutputScreen() ?? null,
    journal: (frames) => deps.journal.append(turn.id, frames),
    shutdownSignal: deps.lifecycle.shutdownSignal,
    clientGone: () => call.signal.aborted,
    onClosed: () => deps.lifecycle.settle(turn.id),
    inbandEvents: inband,
    onEnd: async (end, held) => {
      detach();
      const ending = endingForRelay(end, upstreamRequestId);
      const finished: FinishedTurn = await finishTurn(
        deps,
        turn,
        ending,
        held.journal || null,
        held.terminal,
      );
      if (end.kind === "blocked") return { notice: turn.notice(finished) };
      const interruption = interruptionFor(ending, finished, inband);
      // An interruption always comes with a record, and a turn with records never journals the terminal frame
      // itself (finishTurn), so the two cannot both be set: the interruption goes before the terminal frame.
      if (interruption) return { interruption };
      return { terminalJournaled: finished.terminalJournaled };
    },
  });
  deps.lifecycle.track(turn.id, turn.tenant.id);
  return new Response(stream, {
    status: 200,
    headers: {
      ...upstreamHeaders,
      ...turn.headers(null),
      "content-type": "text/event-stream; charset=utf-8",
    },
  });
}

/**
 * What Candor adds at the end of a stream that did not simply complete: the `candor.intervention` event (when the
 * tenant wants it) naming the record, and an SSE error event when the stream broke without the upstream saying so
 * (reset, shutdown, our own failure), so the SDK raises an error whose message says what was saved.
 */
function interruptionFor(ending: Ending, finished: FinishedTurn, inband: boolean): string | null {
  const saved = `What arrived is saved; restore it from session ${finished.sessionId}.`;
  const i = finished.interventions[0];
  const event =
    inband && i
      ? interventionFrame({
          id: i.id,
          cause: i.cause,
          actor: i.actor,
          explanation: i.explanation,
          explain_url: finished.explainUrl,
        })
      : "";
  switch (ending.turnEnding) {
    case "connection_reset":
      return event + errorFrame("api_error", `The model provider's connection closed mid-reply. ${saved}`);
    case "shutdown":
      return event + errorFrame("overloaded_error", `Candor is restarting. ${saved} Retry in a moment.`);
    case "proxy_error":
      return (
        event +
        errorFrame(
          "api_error",
          `Candor failed while relaying the reply (reference ${finished.requestId}). ${saved}`,
        )
      );
    default:
      return event || null;
  }
}
