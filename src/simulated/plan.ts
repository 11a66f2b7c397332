/**
 * A reply plan is the scenario-independent description of one simulated answer: its content blocks
 * (as the deltas that build them) and how it ends. The same plan renders as an SSE frame list
 * (streaming) or as one Message object (non-streaming), so both modes always carry the same content.
 */
import { estimateTokens } from "./text.js";

/** One `content_block_delta` payload, exactly as Anthropic sends it. */
export type Delta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string }
  | { type: "citations_delta"; citation: Record<string, unknown> };

/** The `content_block` of a `content_block_start` event. */
export type BlockStart =
  | { type: "text"; text: ""; citations?: unknown[] }
  | { type: "thinking"; thinking: ""; signature: "" }
  | { type: "tool_use"; id: string; name: string; input: Record<string, never>; caller: { type: "direct" } };

/** An SSE event written verbatim (unknown event types, extra pings). */
export interface RawEvent {
  event: string;
  data: unknown;
}

export type BlockItem = { delta: Delta } | { raw: RawEvent };

export interface PlannedBlock {
  start: BlockStart;
  items: BlockItem[];
}

export interface RefusalDetails {
  type: "refusal";
  category: string | null;
  explanation: string | null;
}

/** How the reply ends: a normal stop, an in-stream `error` event, or a dropped connection. */
export type Ending =
  | { kind: "stop"; stopReason: string; stopDetails: RefusalDetails | null }
  | { kind: "error"; errorType: string; message: string }
  | { kind: "reset" };

export interface ReplyPlan {
  model: string;
  inputTokens: number;
  blocks: PlannedBlock[];
  ending: Ending;
  /** Pause before each content delta. */
  deltaDelayMs: number;
  /** Pause before anything is produced, response headers included (applied by the HTTP layer). */
  initialDelayMs: number;
}

/** One unit of stream output; `delayMs` is waited before it is written. */
export type Frame =
  | { kind: "event"; event: string; data: unknown; delayMs: number }
  | { kind: "reset"; delayMs: number };

function deltaChars(delta: Delta): number {
  switch (delta.type) {
    case "text_delta":
      return delta.text.length;
    case "input_json_delta":
      return delta.partial_json.length;
    case "thinking_delta":
      return delta.thinking.length;
    default:
      return 0;
  }
}

/** Output-token estimate for everything the plan produces (~chars/4, at least 1). */
export function outputTokens(plan: ReplyPlan): number {
  let chars = 0;
  for (const block of plan.blocks)
    for (const item of block.items) if ("delta" in item) chars += deltaChars(item.delta);
  return estimateTokens(chars);
}

function usage(plan: ReplyPlan, output: number): Record<string, unknown> {
  return {
    input_tokens: plan.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: "standard",
    inference_geo: "not_available",
  };
}

function event(name: string, data: Record<string, unknown>, delayMs = 0): Frame {
  return { kind: "event", event: name, data: { type: name, ...data }, delayMs };
}

function messageEnvelope(plan: ReplyPlan, id: string): Record<string, unknown> {
  return { model: plan.model, id, type: "message", role: "assistant", content: [] };
}

function endingFrames(plan: ReplyPlan): Frame[] {
  const { ending } = plan;
  if (ending.kind === "reset") return [{ kind: "reset", delayMs: 0 }];
  if (ending.kind === "error") {
    return [event("error", { error: { type: ending.errorType, message: ending.message } })];
  }
  const delta = { stop_reason: ending.stopReason, stop_sequence: null, stop_details: ending.stopDetails };
  const finalUsage = {
    input_tokens: plan.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens(plan),
  };
  return [event("message_delta", { delta, usage: finalUsage }), event("message_stop", {})];
}

/**
 * Render a plan as SSE frames in Anthropic's order: message_start, then per block
 * content_block_start → deltas → content_block_stop (a `ping` follows the first block start, as in
 * recorded Anthropic streams), then message_delta and message_stop. A stream that ends in an error
 * or a reset breaks off inside its last block, without closing it.
 */
export function planToFrames(plan: ReplyPlan, messageId: string): Frame[] {
  const start = {
    message: {
      ...messageEnvelope(plan, messageId),
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: usage(plan, 1),
    },
  };
  const frames: Frame[] = [event("message_start", start)];
  plan.blocks.forEach((block, index) => {
    frames.push(event("content_block_start", { index, content_block: block.start }));
    if (index === 0) frames.push({ kind: "event", event: "ping", data: { type: "ping" }, delayMs: 0 });
    for (const item of block.items) {
      if ("raw" in item) frames.push({ kind: "event", ...item.raw, delayMs: 0 });
      else frames.push(event("content_block_delta", { index, delta: item.delta }, plan.deltaDelayMs));
    }
    const broken = plan.ending.kind !== "stop" && index === plan.blocks.length - 1;
    if (!broken) frames.push(event("content_block_stop", { index }));
  });
  return [...frames, ...endingFrames(plan)];
}

/** Apply a block's deltas the way the SDK's MessageStream accumulates them. */
export function accumulateBlock(block: PlannedBlock): Record<string, unknown> {
  const out: Record<string, unknown> = { ...block.start };
  let json = "";
  for (const item of block.items) {
    if (!("delta" in item)) continue;
    const d = item.delta;
    if (d.type === "text_delta") out.text = `${String(out.text ?? "")}${d.text}`;
    else if (d.type === "thinking_delta") out.thinking = `${String(out.thinking ?? "")}${d.thinking}`;
    else if (d.type === "signature_delta") out.signature = d.signature;
    else if (d.type === "input_json_delta") json += d.partial_json;
    else out.citations = [...(Array.isArray(out.citations) ? out.citations : []), d.citation];
  }
  if (block.start.type === "tool_use") out.input = json ? (JSON.parse(json) as unknown) : {};
  return out;
}

/** Render a plan that ends in a normal stop as one non-streaming Message object. */
export function planToMessage(plan: ReplyPlan, messageId: string): Record<string, unknown> {
  const ending = plan.ending.kind === "stop" ? plan.ending : null;
  return {
    ...messageEnvelope(plan, messageId),
    content: plan.blocks.map(accumulateBlock),
    stop_reason: ending?.stopReason ?? "end_turn",
    stop_sequence: null,
    stop_details: ending?.stopDetails ?? null,
    usage: usage(plan, outputTokens(plan)),
  };
}
