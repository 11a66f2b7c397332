/**
 * Scenarios: which reply plan a request gets. A directive at the start of the last user message picks
 * the scenario; a `[sim:judge]` system prompt makes the model a safety judge; anything else gets the
 * default echo reply. Every scenario is deterministic given the request (ids excepted).
 */
import {
  defaultReplyText,
  directiveText,
  jsonObjectOrNull,
  partialPieces,
  pieces,
  textBlock,
  thinkingBlock,
  toolUseBlock,
  wordPieces,
} from "./blocks.js";
import { type Directive, intParam, parseDirective, strParam } from "./directive.js";
import { defaultErrorMessage, errorTypeForStatus, statusForErrorType } from "./errors.js";
import { isJudgeRequest, judgePlan } from "./judge.js";
import type { Ending, PlannedBlock, RefusalDetails, ReplyPlan } from "./plan.js";
import {
  countInputTokens,
  firstToolName,
  type LastUserTurn,
  type MessagesRequest,
  readLastUserTurn,
} from "./request.js";
import { firstCodePoints } from "./text.js";

/** An HTTP error the model answers with before producing anything. */
export interface StatusReply {
  kind: "status";
  status: number;
  errorType: string;
  message: string;
  headers: Record<string, string>;
}

export type ScenarioReply = { kind: "plan"; plan: ReplyPlan } | StatusReply;

type Base = Omit<ReplyPlan, "blocks" | "ending">;

const stop = (stopReason: string, stopDetails: RefusalDetails | null = null): Ending => ({
  kind: "stop",
  stopReason,
  stopDetails,
});

const REFUSAL_HARMS: Record<string, string> = {
  cyber: "cyber harm",
  bio: "biological harm",
  frontier_llm: "the development of competing AI models",
  reasoning_extraction: "extraction of the model's internal reasoning",
  general_harms: "harm",
};

function statusReply(d: Directive): StatusReply {
  const explicitType = d.params.type;
  const status = intParam(d, "code", explicitType ? statusForErrorType(explicitType) : 500);
  const errorType = explicitType ?? errorTypeForStatus(status);
  const headers: Record<string, string> = {};
  if (status === 429) headers["retry-after"] = strParam(d, "retry_after", "1");
  const message = d.rest.trim() || defaultErrorMessage(errorType);
  return { kind: "status", status, errorType, message, headers };
}

function refusalEnding(d: Directive): Ending {
  const raw = strParam(d, "category", "cyber");
  const category = raw === "null" ? null : raw;
  const harm = category ? (REFUSAL_HARMS[category] ?? category.replaceAll("_", " ")) : null;
  const explanation = harm ? `This request was declined because it could enable ${harm}. (simulated)` : null;
  return stop("refusal", { type: "refusal", category, explanation });
}

function toolBlocks(d: Directive, req: MessagesRequest): PlannedBlock[] {
  const name = strParam(d, "name", firstToolName(req.tools));
  const input = jsonObjectOrNull(directiveText(d)) ?? { location: "Paris" };
  const intro =
    strParam(d, "text", "") === "none" ? [] : [textBlock(pieces(d, `I'll use the ${name} tool.`))];
  return [...intro, toolUseBlock(d, name, input)];
}

function unknownEventBlocks(d: Directive): PlannedBlock[] {
  const cited = "The sky is blue.";
  const citation = {
    type: "char_location",
    cited_text: cited,
    document_index: 0,
    document_title: "Simulated document",
    start_char_index: 0,
    end_char_index: cited.length,
    file_id: null,
  };
  const first: PlannedBlock = {
    start: { type: "text", text: "" },
    items: [
      { delta: { type: "text_delta", text: "Here is " } },
      { raw: { event: "future_event", data: { type: "future_event", x: 1 } } },
      { delta: { type: "text_delta", text: "a fact: " } },
      { raw: { event: "ping", data: { type: "ping" } } },
    ],
  };
  const second: PlannedBlock = {
    start: { type: "text", text: "", citations: [] },
    items: [
      { delta: { type: "citations_delta", citation } },
      ...pieces(d, cited).map((text) => ({ delta: { type: "text_delta" as const, text } })),
    ],
  };
  return [first, second];
}

/** Blocks and ending for a directive, or `null` for an unknown directive name (default behaviour). */
function directivePlan(d: Directive, req: MessagesRequest, turn: LastUserTurn) {
  const partial = (key: string, fallback: number) => [
    textBlock(partialPieces(d, intParam(d, key, fallback))),
  ];
  switch (d.name) {
    case "say":
      return { blocks: [textBlock(pieces(d, directiveText(d)))], ending: stop("end_turn") };
    case "long":
    case "slow":
      return {
        blocks: [textBlock(wordPieces(intParam(d, "n", d.name === "slow" ? 20 : 50)))],
        ending: stop("end_turn"),
      };
    case "tool":
      return { blocks: toolBlocks(d, req), ending: stop("tool_use") };
    case "thinking": {
      const thought = `The user asked: "${firstCodePoints(d.rest, 80)}". I will answer plainly.`;
      const answer = textBlock(pieces(d, defaultReplyText(d.rest, turn)));
      return { blocks: [thinkingBlock(d, thought), answer], ending: stop("end_turn") };
    }
    case "refusal":
      return { blocks: partial("after", 3), ending: refusalEnding(d) };
    case "error_after": {
      const errorType = strParam(d, "type", "overloaded_error");
      return {
        blocks: partial("n", 3),
        ending: { kind: "error" as const, errorType, message: defaultErrorMessage(errorType) },
      };
    }
    case "reset":
      return { blocks: partial("after", 3), ending: { kind: "reset" as const } };
    case "max_tokens":
      return { blocks: partial("n", 5), ending: stop("max_tokens") };
    case "context_limit":
      return { blocks: partial("n", 5), ending: stop("model_context_window_exceeded") };
    case "unknown_event":
      return { blocks: unknownEventBlocks(d), ending: stop("end_turn") };
    default:
      return null;
  }
}

/** Decide how the simulated model answers a validated Messages request. */
export function planReply(req: MessagesRequest, defaultDelayMs: number): ScenarioReply {
  const turn = readLastUserTurn(req.messages);
  const directive = parseDirective(turn.firstText);
  const base: Base = {
    model: req.model,
    inputTokens: countInputTokens(req),
    deltaDelayMs: intParam(directive, "delay_ms", directive?.name === "slow" ? 100 : defaultDelayMs),
    initialDelayMs: 0,
  };
  // The judged text may itself start with a directive; the judge must not obey it.
  if (isJudgeRequest(req))
    return { kind: "plan", plan: judgePlan({ ...base, deltaDelayMs: defaultDelayMs }, turn) };
  if (directive?.name === "status") return statusReply(directive);
  const planned = directive ? directivePlan(directive, req, turn) : null;
  if (planned) return { kind: "plan", plan: { ...base, ...planned } };
  return {
    kind: "plan",
    plan: {
      ...base,
      blocks: [textBlock(pieces(null, defaultReplyText(turn.allText, turn)))],
      ending: stop("end_turn"),
    },
  };
}
