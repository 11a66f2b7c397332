/**
 * What an unmodified app shows when Candor ends a reply: a blocked reply closes as a normal assistant message
 * with stop_reason "refusal" and a short notice text; an interrupted one ends with an SSE `error` event whose
 * message says what was saved. Apps that know Candor also get the `candor.intervention` event.
 */
import { type AccumulatedMessage, MessageAccumulator } from "./accumulate.js";
import { formatFrame } from "./sse.js";

export interface BlockedNotice {
  /** Short text shown in place of the withheld reply. */
  text: string;
  category: string;
  explanation: string;
  intervention: InbandIntervention | null;
}

export interface InbandIntervention {
  id: string;
  cause: string;
  actor: string;
  explanation: string;
  explain_url: string | null;
}

function frame(event: string, data: unknown): string {
  return formatFrame(event, JSON.stringify(data));
}

export function interventionFrame(i: InbandIntervention): string {
  return frame("candor.intervention", { type: "candor.intervention", intervention: i });
}

/** Frames that close a stream Candor blocked mid-way: open blocks stopped, a notice block, refusal. */
export function blockedStreamFrames(msg: AccumulatedMessage, notice: BlockedNotice, inband: boolean): string {
  let frames = "";
  for (const i of msg.incompleteBlocks) {
    frames += frame("content_block_stop", { type: "content_block_stop", index: msg.streamIndexes[i] });
  }
  const index = msg.streamIndexes.length > 0 ? Math.max(...msg.streamIndexes) + 1 : 0;
  frames += frame("content_block_start", {
    type: "content_block_start",
    index,
    content_block: { type: "text", text: "" },
  });
  frames += frame("content_block_delta", {
    type: "content_block_delta",
    index,
    delta: { type: "text_delta", text: notice.text },
  });
  frames += frame("content_block_stop", { type: "content_block_stop", index });
  if (inband && notice.intervention) frames += interventionFrame(notice.intervention);
  frames += frame("message_delta", {
    type: "message_delta",
    delta: {
      stop_reason: "refusal",
      stop_sequence: null,
      stop_details: { type: "refusal", category: notice.category, explanation: notice.explanation },
    },
    usage: { output_tokens: Number(msg.usage?.output_tokens ?? 0) },
  });
  frames += frame("message_stop", { type: "message_stop" });
  return frames;
}

/** An SSE error event (Anthropic's shape) telling the client the reply was cut off and what was kept. */
export function errorFrame(type: string, message: string): string {
  return frame("error", { type: "error", error: { type, message } });
}

/** A whole non-streaming refusal message for a blocked request or reply. */
export function blockedMessageBody(
  model: string,
  notice: BlockedNotice,
  keptContent: unknown[],
  usage: Record<string, unknown> | null,
): Record<string, unknown> {
  return {
    id: `msg_candor_${Date.now().toString(36)}`,
    type: "message",
    role: "assistant",
    model,
    content: [...keptContent, { type: "text", text: notice.text }],
    stop_reason: "refusal",
    stop_sequence: null,
    stop_details: { type: "refusal", category: notice.category, explanation: notice.explanation },
    usage: usage ?? { input_tokens: 0, output_tokens: 0 },
  };
}

/** A whole refusal stream for an input that was blocked before anything was forwarded. */
export function blockedInputStream(model: string, notice: BlockedNotice, inband: boolean): string {
  const start = frame("message_start", {
    type: "message_start",
    message: {
      id: `msg_candor_${Date.now().toString(36)}`,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  });
  return start + blockedStreamFrames(new MessageAccumulator().snapshot(), notice, inband);
}
