/**
 * Turns drafts from the pipeline into intervention records: builds each record (cause defaults from the
 * taxonomy), commits it to a salted hash of the content it concerns, appends it to the Merkle log and renders
 * the user-facing explanation — all inside the caller's transaction.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "../store/db.js";
import { newId } from "../store/ids.js";
import { appendToLog } from "../store/merkle-log.js";
import type { SessionRow } from "../store/sessions.js";
import type { Actor, Cause } from "./causes.js";
import { explain } from "./explain.js";
import { leafHash } from "./merkle.js";
import {
  type BuildRecordInput,
  buildRecord,
  canonicalRecordBytes,
  contentCommitment,
  type InterventionRecord,
} from "./record.js";

export type InterventionDraft = Omit<
  BuildRecordInput,
  "id" | "tenantId" | "sessionId" | "createdAt" | "appealDays"
> & {
  /** A stable fingerprint of the affected content (e.g. the message's content hash), committed to with a salt. */
  contentRef?: string | null;
};

export interface RecordedIntervention {
  id: string;
  cause: Cause;
  actor: Actor;
  /** The end user's explanation (English). */
  explanation: string;
  category: string | null;
  record: InterventionRecord;
}

export interface InterventionRecorder {
  record(
    tx: Db,
    ctx: { tenantId: string; session: SessionRow; drafts: InterventionDraft[] },
  ): Promise<RecordedIntervention[]>;
}

export interface RecorderOptions {
  appealDays: number;
  /** Called with each batch's size and duration (metrics). */
  onRecorded?: (records: InterventionRecord[]) => void;
}

export function createInterventionRecorder(opts: RecorderOptions): InterventionRecorder {
  return {
    async record(tx, { tenantId, session, drafts }) {
      if (drafts.length === 0) return [];
      const now = new Date();
      const built = drafts.map(({ contentRef, ...draft }) => {
        const salt = contentRef ? randomBytes(32) : null;
        const record = buildRecord({
          ...draft,
          id: newId("int"),
          tenantId,
          sessionId: session.externalId,
          createdAt: now,
          appealDays: opts.appealDays,
          content: {
            ...draft.content,
            contentHash: salt && contentRef ? contentCommitment(contentRef, salt) : null,
          },
        });
        return { record, salt };
      });
      await appendToLog(
        tx,
        built.map(({ record, salt }) => ({
          record,
          salt,
          leafHash: leafHash(canonicalRecordBytes(record)),
          sessionPk: session.pk,
        })),
      );
      opts.onRecorded?.(built.map((b) => b.record));
      return built.map(({ record }) => ({
        id: record.id,
        cause: record.cause,
        actor: record.actor,
        explanation: explain(record).text,
        category: record.rule?.category ?? record.rule?.hazard ?? null,
        record,
      }));
    },
  };
}
