/**
 * Restore (pure): from a session's stored messages and turns, the conversation as a `messages` array ready to
 * resend. Partial replies keep their text (trailing whitespace trimmed, as the API refuses it in a prefill);
 * half-streamed tool_use and thinking blocks are dropped and reported; a continuation user turn is added where a
 * prefill is not wanted. Withheld output is never here: snapshots hold what the user was shown.
 */
import type { MessageRow } from "../store/sessions.js";
import type { TurnRow } from "../store/turns.js";

export type Continuation = "auto" | "prefill" | "user_turn";

export interface RestoreOptions {
  /** The message to restore up to (a branch's leaf). Default: the latest turn's reply, or its input. */
  leaf?: string | undefined;
  includePartial: boolean;
  continuation: Continuation;
}

export interface DroppedBlock {
  message_id: string;
  index: number;
  type: string;
  reason: "incomplete" | "erased";
}

export interface RestoredConversation {
  session: string;
  leaf: string;
  system?: unknown;
  messages: Array<{ role: "user" | "assistant"; content: unknown }>;
  /** The partial reply kept at the end, if any. */
  partial: { message_id: string; cause: string | null; text_chars: number } | null;
  dropped_blocks: DroppedBlock[];
  /** How the conversation continues when resent: the partial reply as a prefill, or an added user turn. */
  continuation: "prefill" | "user_turn" | null;
  /** Request parameters of the turn that produced the leaf (model, max_tokens, tools…), to resend as they were. */
  params: Record<string, unknown> | null;
}

export const CONTINUE_PROMPT = "Please continue exactly where your previous reply stopped.";

export class RestoreError extends Error {
  constructor(
    readonly code: "unknown_leaf" | "empty",
    message: string,
  ) {
    super(message);
  }
}

function defaultLeaf(turns: TurnRow[]): string | undefined {
  const latest = [...turns].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
  return latest ? (latest.outputMessageId ?? latest.inputLeafId) : undefined;
}

function pathTo(leafId: string, byId: Map<string, MessageRow>): MessageRow[] {
  const path: MessageRow[] = [];
  for (let m = byId.get(leafId); m; m = m.parentId ? byId.get(m.parentId) : undefined) path.push(m);
  return path.reverse();
}

type Block = Record<string, unknown> & { type: string };

/** A partial reply's blocks as they can be resent: incomplete tool_use/thinking dropped, text trimmed at the end. */
function resendableBlocks(m: MessageRow, dropped: DroppedBlock[]): Block[] {
  const blocks = Array.isArray(m.content)
    ? (m.content as Block[])
    : [{ type: "text", text: String(m.content ?? "") }];
  const incomplete = new Set(m.meta?.incompleteBlocks ?? []);
  const kept: Block[] = [];
  blocks.forEach((b, index) => {
    if (incomplete.has(index) && b.type !== "text") {
      dropped.push({ message_id: m.id, index, type: b.type, reason: "incomplete" });
      return;
    }
    kept.push(b);
  });
  const last = kept[kept.length - 1];
  if (last?.type === "text") {
    const text = String(last.text ?? "").trimEnd();
    if (text) kept[kept.length - 1] = { ...last, text };
    else kept.pop();
  }
  return kept;
}

export function restoreConversation(
  sessionId: string,
  rows: MessageRow[],
  turns: TurnRow[],
  opts: RestoreOptions,
): RestoredConversation {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const leafId = opts.leaf ?? defaultLeaf(turns);
  if (!leafId) throw new RestoreError("empty", "The session has no turns to restore.");
  if (!byId.has(leafId)) throw new RestoreError("unknown_leaf", `leaf: no message ${leafId} in this session`);
  const path = pathTo(leafId, byId);
  const root = path[0]?.role === "system" ? path.shift() : undefined;
  const dropped: DroppedBlock[] = [];
  const messages: RestoredConversation["messages"] = [];
  let partial: RestoredConversation["partial"] = null;
  const turnOf = new Map(turns.map((t) => [t.id, t]));

  for (const [i, m] of path.entries()) {
    if (m.erasedAt || m.content === null) {
      dropped.push({ message_id: m.id, index: -1, type: "message", reason: "erased" });
      continue;
    }
    const isPartial = m.status === "partial";
    if (isPartial && (!opts.includePartial || i !== path.length - 1)) continue;
    const content = isPartial ? resendableBlocks(m, dropped) : m.content;
    if (Array.isArray(content) && content.length === 0) continue;
    messages.push({ role: m.role === "assistant" ? "assistant" : "user", content });
    if (isPartial) {
      const turn = m.turnId ? turnOf.get(m.turnId) : undefined;
      const cause = turn?.cause ?? (turn?.status === "in_flight" ? "in_flight" : null);
      partial = { message_id: m.id, cause, text_chars: turn?.outputChars ?? 0 };
    }
  }

  const leafTurn = turns.find((t) => t.outputMessageId === leafId || t.inputLeafId === leafId);
  const continuation = partial ? chooseContinuation(opts.continuation, messages, leafTurn) : null;
  if (continuation === "user_turn") messages.push({ role: "user", content: CONTINUE_PROMPT });
  return {
    session: sessionId,
    leaf: leafId,
    ...(root?.content != null ? { system: root.content } : {}),
    messages,
    partial,
    dropped_blocks: dropped,
    continuation,
    params: leafTurn?.params ?? null,
  };
}

/** auto: a prefill continues seamlessly, but not with extended thinking (the API requires a thinking block first). */
function chooseContinuation(
  wanted: Continuation,
  messages: RestoredConversation["messages"],
  turn: TurnRow | undefined,
): "prefill" | "user_turn" {
  if (wanted !== "auto") return wanted;
  const last = messages[messages.length - 1];
  const blocks = Array.isArray(last?.content) ? (last.content as Block[]) : [];
  const thinking = Boolean(turn?.params?.thinking) || blocks.some((b) => b.type === "thinking");
  const endsWithTool = blocks[blocks.length - 1]?.type === "tool_use";
  return thinking || endsWithTool ? "user_turn" : "prefill";
}
