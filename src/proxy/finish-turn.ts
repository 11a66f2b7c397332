/**
 * The one place a turn's ending is recorded: the final snapshot of the reply (complete or partial, as the client
 * received it), the turn's cause, and the interventions — in a single transaction, so a record of what happened
 * never exists without the content it is about, or the reverse.
 */
import { type ChainNode, makeNode } from "../session/chain.js";
import { newId } from "../store/ids.js";
import { journal as journalTable, withheldContent } from "../store/schema/index.js";
import { insertMessages } from "../store/sessions.js";
import { finishTurnStatement } from "../store/turn-statements.js";
import { endTurn } from "../store/turns.js";
import type { InterventionDraft, RecordedIntervention } from "../transparency/recorder.js";
import type { AccumulatedMessage } from "./accumulate.js";
import type { ProxyDeps } from "./deps.js";
import { draftsForMatches } from "./match-drafts.js";
import type { OpenedTurn } from "./open-turn.js";
import type { Ending } from "./outcome.js";

export interface FinishedTurn {
  sessionId: string;
  requestId: string;
  outputMessageId: string | null;
  explainUrl: string;
  /** Interventions recorded at the end (the ones recorded when the turn opened are on OpenedTurn). */
  interventions: RecordedIntervention[];
  /** The `terminal` frame was journaled too (the turn recorded nothing, so nothing goes before it). */
  terminalJournaled: boolean;
}

/** What is stored of the reply: its blocks as forwarded. A half-streamed tool_use keeps its raw partial JSON. */
function outputContent(message: AccumulatedMessage | null): unknown[] | null {
  if (!message || message.content.length === 0) return null;
  return message.content;
}

function endingDraft(turn: TurnRef, ending: Ending, output: ChainNode | null): InterventionDraft | null {
  if (!ending.cause || ending.cause.startsWith("policy_")) return null;
  const chars = ending.message?.textChars ?? 0;
  const about = output ?? turn.inputLeaf;
  return {
    cause: ending.cause,
    turnId: turn.id,
    contentRef: about.contentHash,
    content: { messageId: about.id, role: output ? "assistant" : "user" },
    // The hashed record can never be erased, and an upstream's error message may echo user content: it stays in
    // turns.error (which erasure clears), not in the log.
    error: ending.error
      ? {
          type: ending.error.type,
          status: ending.error.status,
          upstreamRequestId: ending.upstreamRequestId,
          message: null,
        }
      : null,
    facts: {
      chars_received: chars,
      words_received: ending.message ? countWords(ending.message) : 0,
      mid_stream: ending.midStream,
      stop_reason: ending.message?.stopReason ?? null,
      ...(ending.cause === "upstream_refusal" ? refusalFacts(ending.message) : {}),
    },
  };
}

function countWords(message: AccumulatedMessage): number {
  const text = message.content.map((b) => (b.type === "text" ? String(b.text ?? "") : "")).join(" ");
  return text.split(/\s+/).filter(Boolean).length;
}

function refusalFacts(message: AccumulatedMessage | null): Record<string, string | null> {
  const d = (message?.stopDetails ?? null) as { category?: unknown; explanation?: unknown } | null;
  return {
    refusal_category: typeof d?.category === "string" ? d.category : null,
    provider_explanation: typeof d?.explanation === "string" ? d.explanation : null,
  };
}

/** What finishing needs of a turn: an opened one, or one rebuilt from the database by crash recovery. */
export type TurnRef = Pick<
  OpenedTurn,
  "id" | "requestId" | "tenant" | "session" | "inputLeaf" | "chain" | "model" | "inputBlock" | "explainUrl"
>;

/**
 * @param journal frames forwarded once the ending is recorded (a non-streaming reply's body, a stream's last
 *   batch): journaled in the same statement or transaction.
 * @param terminal a stream's closing frame: journaled after `journal` when the turn records nothing (nothing
 *   then goes before it); otherwise the relay journals it after what the records add.
 */
export async function finishTurn(
  deps: ProxyDeps,
  turn: TurnRef,
  ending: Ending,
  journal: string | null = null,
  terminal: string | null = null,
): Promise<FinishedTurn> {
  if (deps.journal.mode === "fast") await deps.journal.flush();
  const content = outputContent(ending.message);
  const node = content ? makeNode(turn.session.pk, turn.inputLeaf, "assistant", content) : null;
  const complete = ending.turnEnding === "completed" || ending.turnEnding === "length_limit";
  const blockDrafts =
    ending.turnEnding === "blocked" && ending.outputMatches.length === 0 && turn.inputBlock
      ? draftsForMatches(turn.inputBlock, turn.chain, turn.id)
      : draftsForMatches(ending.outputMatches, [], turn.id, {
          messageId: node?.id ?? null,
          contentRef: node?.contentHash ?? null,
        });
  const fromEnding = endingDraft(turn, ending, node);
  const drafts = fromEnding ? [fromEnding, ...blockDrafts] : blockDrafts;

  const outputStatus = complete ? "complete" : "partial";
  const outputMeta = {
    incompleteBlocks: ending.message?.incompleteBlocks ?? [],
    stopReason: ending.message?.stopReason ?? null,
  };
  const end = {
    cause: ending.turnEnding,
    stopReason: ending.message?.stopReason ?? null,
    outputMessageId: node?.id ?? null,
    upstreamRequestId: ending.upstreamRequestId,
    usage: ending.message?.usage ?? null,
    error: ending.error,
    outputChars: ending.message?.textChars ?? 0,
    model: ending.message?.model ?? turn.model,
  };
  const simple = drafts.length === 0 && !(ending.withheld && ending.withheld.length > 0);
  const journaled = (journal ?? "") + (simple ? (terminal ?? "") : "");
  const journalRow = journaled ? { seq: deps.journal.nextSeq(), data: journaled } : null;
  // Nothing to record (the common case): one atomic statement. Otherwise one transaction with the records.
  const interventions = simple
    ? await finishTurnStatement(deps.db, {
        turnId: turn.id,
        sessionPk: turn.session.pk,
        output: node,
        outputStatus,
        outputMeta,
        end,
        journal: journalRow,
      }).then(() => [])
    : await deps.db.transaction(async (tx) => {
        if (node) {
          await insertMessages(tx, turn.session.pk, [node], "output", {
            status: outputStatus,
            turnId: turn.id,
            meta: outputMeta,
          });
        }
        if (journalRow) await tx.insert(journalTable).values({ turnId: turn.id, ...journalRow });
        const ended = await endTurn(tx, turn.id, end);
        if (!ended) return []; // already closed (e.g. by crash recovery of a wrongly-presumed-dead instance)
        if (ending.withheld && ending.withheld.length > 0) {
          await tx.insert(withheldContent).values({
            id: newId("wh"),
            tenantId: turn.tenant.id,
            sessionPk: turn.session.pk,
            turnId: turn.id,
            messageId: node?.id ?? null,
            blocks: ending.withheld,
          });
        }
        return deps.interventions.record(tx, { tenantId: turn.tenant.id, session: turn.session, drafts });
      });
  deps.metrics.turns.inc({ ending: ending.turnEnding });
  for (const i of interventions) {
    deps.metrics.interventions.inc({
      cause: i.cause,
      rule: i.record.rule?.ruleId ?? "",
      action: i.record.rule?.action ?? "",
    });
  }
  deps.log.info(
    {
      requestId: turn.requestId,
      turnId: turn.id,
      ending: ending.turnEnding,
      interventions: interventions.length,
    },
    "turn ended",
  );
  return {
    sessionId: turn.session.externalId,
    requestId: turn.requestId,
    outputMessageId: node?.id ?? null,
    explainUrl: turn.explainUrl,
    interventions,
    terminalJournaled: simple && terminal !== null,
  };
}
