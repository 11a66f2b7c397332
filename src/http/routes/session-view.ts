/** The JSON shape of a session for its owner: the message tree with each message's status and cause. */
import type { MessageRow, SessionRow } from "../../store/sessions.js";
import { sessionState } from "../../store/sessions.js";
import type { TurnRow } from "../../store/turns.js";

export function sessionView(s: SessionRow, rows: MessageRow[], turns: TurnRow[]) {
  const byOutput = new Map(turns.filter((t) => t.outputMessageId).map((t) => [t.outputMessageId, t]));
  const hasChild = new Set(rows.map((r) => r.parentId).filter(Boolean));
  const latest = turns[turns.length - 1];
  return {
    id: s.externalId,
    end_user: s.endUser,
    state: sessionState(s, latest?.cause ?? null, latest?.status ?? null),
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    deleted_at: s.deletedAt?.toISOString() ?? null,
    restorable_until: s.restorableUntil?.toISOString() ?? null,
    erased_at: s.erasedAt?.toISOString() ?? null,
    messages: rows.map((m) => {
      const turn = byOutput.get(m.id);
      return {
        id: m.id,
        parent_id: m.parentId,
        role: m.role,
        depth: m.depth,
        origin: m.origin,
        status: m.erasedAt ? "erased" : m.deletedAt ? "deleted" : m.status,
        cause: turn?.cause ?? null,
        turn_id: m.turnId,
        content: m.content,
        content_hash: m.contentHash,
        incomplete_blocks: m.meta?.incompleteBlocks ?? [],
        created_at: m.createdAt.toISOString(),
        restorable_until: m.restorableUntil?.toISOString() ?? null,
      };
    }),
    /** Leaves: each names a branch (pass one as `leaf` to restore it). */
    branches: rows.filter((m) => !hasChild.has(m.id) && m.role !== "system").map((m) => m.id),
    turns: turns.map((t) => ({
      id: t.id,
      status: t.status,
      cause: t.cause,
      stop_reason: t.stopReason,
      model: t.model,
      stream: t.stream,
      input_leaf_id: t.inputLeafId,
      output_message_id: t.outputMessageId,
      output_chars: t.outputChars,
      request_id: t.requestId,
      upstream_request_id: t.upstreamRequestId,
      started_at: t.startedAt.toISOString(),
      ended_at: t.endedAt?.toISOString() ?? null,
    })),
  };
}
