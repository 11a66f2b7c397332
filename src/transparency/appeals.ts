/**
 * Appeals: an end user (or the app on their behalf) contests one of our decisions; a moderator upholds or
 * reverses it. The decision is itself a record in the log (`appeal_upheld` / `appeal_reversed`, `facts.appeal_of`
 * naming the original), and a reversal restores the withheld model output where it can: the original text comes
 * back as a new assistant message beside the one the user was shown, so restoring that leaf returns it.
 */
import { and, eq } from "drizzle-orm";
import { type ChainNode, makeNode } from "../session/chain.js";
import {
  type AppealRow,
  closeAppeal,
  findAppeal,
  insertAppeal,
  linkAppealDecision,
  type WithheldRow,
  withheldForTurn,
} from "../store/appeals.js";
import type { Db } from "../store/db.js";
import { messages } from "../store/schema/index.js";
import { findSession, insertMessages, type MessageRow } from "../store/sessions.js";
import { findTurn } from "../store/turns.js";
import type { Cause } from "./causes.js";
import type { AppealOutcome } from "./explain.js";
import { findIntervention, type StoredIntervention } from "./receipt-service.js";
import type { InterventionRecord } from "./record.js";
import type { InterventionDraft, InterventionRecorder, RecordedIntervention } from "./recorder.js";

export type AppealErrorCode =
  | "not_found"
  | "not_appealable"
  | "deadline_passed"
  | "already_appealed"
  | "already_decided";

/** Why an appeal cannot go ahead; the message is meant for the person asking. */
export class AppealError extends Error {
  constructor(
    readonly code: AppealErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Block = Record<string, unknown> & { type: string };
type WithheldBlock = WithheldRow["blocks"][number];

/** Can this record be appealed now? (Appealable by cause, and before its deadline.) */
export function checkAppealable(record: InterventionRecord, now: Date): void {
  if (!record.redress.appealable) {
    throw new AppealError(
      "not_appealable",
      `Record ${record.id} (${record.cause}) cannot be appealed: only restrictions decided by our filter can be.`,
    );
  }
  const deadline = record.redress.deadline ? new Date(record.redress.deadline) : null;
  if (deadline && now.getTime() >= deadline.getTime()) {
    throw new AppealError(
      "deadline_passed",
      `The appeal period for record ${record.id} ended on ${deadline.toISOString()}.`,
    );
  }
}

/** Files the appeal (one per record). */
export async function fileAppeal(
  db: Db,
  target: StoredIntervention,
  by: { appellant: "user" | "tenant"; userId: string | null },
  statement: string | null,
  now = new Date(),
): Promise<AppealRow> {
  checkAppealable(target.record, now);
  const row = await insertAppeal(db, {
    tenantId: target.tenantId,
    sessionPk: target.sessionPk,
    interventionId: target.id,
    appellant: by.appellant,
    userId: by.userId,
    statement,
  });
  if (!row) throw new AppealError("already_appealed", `Record ${target.id} was already appealed.`);
  return row;
}

/** The outcome to show with the original record's explanation, once decided. */
export function outcomeOf(appeal: AppealRow | undefined): AppealOutcome | null {
  if (!appeal?.decision || !appeal.decidedAt) return null;
  return {
    decision: appeal.decision,
    reason: appeal.reason ?? "",
    decidedAt: appeal.decidedAt.toISOString(),
  };
}

/** The withheld blocks that belong to this record's message (moderators only). */
export async function withheldFor(db: Db, record: InterventionRecord): Promise<WithheldBlock[] | null> {
  if (!record.turnId || record.content.role !== "assistant") return null;
  const rows = await withheldForTurn(db, record.turnId);
  const mine = rows.filter((r) => r.messageId === record.content.messageId);
  return mine.length > 0 ? mine.flatMap((r) => r.blocks) : null;
}

/**
 * The shown reply with each withheld block's original put back: text and thinking by field, tool input parsed
 * back from its JSON. A withheld block the reply never got (the blocked one of a non-streamed reply) is added
 * when it is text; other kinds cannot be rebuilt without their ids and are left out.
 */
export function restoredBlocks(shown: unknown, withheld: readonly WithheldBlock[]): Block[] {
  const blocks: Block[] = Array.isArray(shown)
    ? (shown as Block[]).map((b) => ({ ...b }))
    : typeof shown === "string"
      ? [{ type: "text", text: shown }]
      : [];
  for (const w of [...withheld].sort((a, b) => a.index - b.index)) {
    const base = blocks[w.index];
    if (w.kind === "text") {
      if (base?.type === "text") blocks[w.index] = { ...base, text: w.original };
      else if (!base) blocks.splice(Math.min(w.index, blocks.length), 0, { type: "text", text: w.original });
    } else if (w.kind === "thinking" && base?.type === "thinking") {
      blocks[w.index] = { ...base, thinking: w.original };
    } else if (w.kind === "tool_input" && base && base.type.endsWith("tool_use")) {
      try {
        blocks[w.index] = { ...base, input: JSON.parse(w.original) as unknown };
      } catch {
        // a half-streamed tool input is not JSON yet: keep what was shown
      }
    }
  }
  return blocks;
}

async function messageInSession(
  db: Db,
  sessionPk: string,
  id: string | null,
): Promise<MessageRow | undefined> {
  if (!id) return undefined;
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, id), eq(messages.sessionPk, sessionPk)));
  return row;
}

function nodeOf(m: MessageRow): ChainNode {
  return {
    id: m.id,
    parentId: m.parentId,
    role: m.role,
    content: m.content,
    contentHash: m.contentHash,
    depth: m.depth,
  };
}

const RESTORABLE = new Set<Cause>(["policy_block", "policy_redact", "policy_check_failed"]);

/** Inserts the original output beside the shown one; null when there is nothing the user could get back. */
async function restoreOriginal(tx: Db, target: StoredIntervention, shown: MessageRow | undefined) {
  const { record } = target;
  if (!RESTORABLE.has(record.cause) || !record.turnId) return null;
  const withheld = await withheldFor(tx, record);
  const turn = await findTurn(tx, target.tenantId, record.turnId);
  if (!withheld || !turn) return null;
  const parent = await messageInSession(tx, target.sessionPk, shown?.parentId ?? turn.inputLeafId);
  if (!parent || parent.erasedAt) return null;
  const content = restoredBlocks(shown?.content ?? [], withheld);
  if (content.length === 0) return null;
  const node = makeNode(target.sessionPk, nodeOf(parent), "assistant", content);
  await insertMessages(tx, target.sessionPk, [node], "output", {
    status: "complete",
    turnId: record.turnId,
    meta: { incompleteBlocks: [], stopReason: shown?.meta?.stopReason ?? null },
  });
  return node.id;
}

/** The decision's own record: about the same content and rule as the original, naming it in `facts.appeal_of`. */
function decisionDraft(
  record: InterventionRecord,
  appealId: string,
  decision: "upheld" | "reversed",
  contentRef: string | null,
  restoredMessageId: string | null,
): InterventionDraft {
  const { messageId, role, blockIndex, start, end } = record.content;
  return {
    cause: decision === "reversed" ? "appeal_reversed" : "appeal_upheld",
    turnId: record.turnId,
    contentRef,
    content: { messageId, role, blockIndex, start, end },
    rule: record.rule,
    recoverable:
      decision === "reversed" ? { what: "all", until: null } : { what: "moderator_only", until: null },
    facts: {
      appeal_of: record.id,
      appeal_id: appealId,
      ...(restoredMessageId ? { restored_message_id: restoredMessageId } : {}),
    },
  };
}

export interface AppealDecision {
  appeal: AppealRow;
  original: StoredIntervention;
  decisionRecord: RecordedIntervention;
  /** The restored assistant message (restore it with `leaf`), or null when nothing could be restored. */
  restoredMessageId: string | null;
}

/**
 * A moderator's decision: closes the appeal (first decision wins), restores the content on reversal, and records
 * the decision in the log — one transaction, so a decision never exists without its record.
 */
export async function decideAppeal(
  deps: { db: Db; interventions: InterventionRecorder },
  appealId: string,
  decision: "upheld" | "reversed",
  reason: string,
  now = new Date(),
): Promise<AppealDecision> {
  const found = await findAppeal(deps.db, appealId);
  if (!found) throw new AppealError("not_found", `No appeal ${appealId}.`);
  const original = await findIntervention(deps.db, found.interventionId);
  if (!original) throw new AppealError("not_found", `The record of appeal ${appealId} is gone.`);
  const { record } = original;
  const session = await findSession(deps.db, original.tenantId, record.sessionId);
  if (!session) throw new AppealError("not_found", `The session of appeal ${appealId} is gone.`);

  return deps.db.transaction(async (tx) => {
    const closed = await closeAppeal(tx, appealId, { decision, reason, decidedAt: now });
    if (!closed) throw new AppealError("already_decided", `Appeal ${appealId} was already decided.`);
    const shown = await messageInSession(tx, original.sessionPk, record.content.messageId);
    const restoredMessageId = decision === "reversed" ? await restoreOriginal(tx, original, shown) : null;
    const [decisionRecord] = await deps.interventions.record(tx, {
      tenantId: original.tenantId,
      session,
      drafts: [decisionDraft(record, appealId, decision, shown?.contentHash ?? null, restoredMessageId)],
    });
    if (!decisionRecord) throw new Error("the decision was not recorded");
    const appeal = await linkAppealDecision(tx, appealId, {
      decisionInterventionId: decisionRecord.id,
      restoredMessageId,
    });
    return { appeal, original, decisionRecord, restoredMessageId };
  });
}
