/**
 * From the database to receipts: stored records with their leaf index, an inclusion proof and the latest signed
 * checkpoint, and consistency proofs between two signed checkpoints. The proofs are computed from every leaf
 * hash up to the checkpoint — O(n) reads and hashes per request (about 0.25 s of CPU at 100k leaves). That is
 * fine at today's sizes; past that, keep the tree's interior nodes (or cache subtree roots) in the store.
 */
import { and, asc, eq, gt, gte, inArray } from "drizzle-orm";
import type { Db } from "../store/db.js";
import { checkpointAt, checkpointHead, type LogSigner, leafHashes } from "../store/merkle-log.js";
import { interventions } from "../store/schema/index.js";
import type { Checkpoint } from "./checkpoint.js";
import { consistencyProof, inclusionProof } from "./merkle.js";
import { buildReceipt, type Receipt } from "./receipts.js";
import type { InterventionRecord } from "./record.js";

/** A record as stored: the exact hashed record, its leaf, and who it belongs to. */
export interface StoredIntervention {
  id: string;
  tenantId: string;
  sessionPk: string;
  record: InterventionRecord;
  leafIndex: number;
}

const columns = {
  id: interventions.id,
  tenantId: interventions.tenantId,
  sessionPk: interventions.sessionPk,
  record: interventions.record,
  leafIndex: interventions.leafIndex,
};

export async function findIntervention(db: Db, id: string): Promise<StoredIntervention | undefined> {
  const [row] = await db.select(columns).from(interventions).where(eq(interventions.id, id));
  return row;
}

/** Records by id, in log order (ids not found are left out). */
export async function interventionsByIds(db: Db, ids: string[]): Promise<StoredIntervention[]> {
  if (ids.length === 0) return [];
  return db
    .select(columns)
    .from(interventions)
    .where(inArray(interventions.id, ids))
    .orderBy(asc(interventions.leafIndex));
}

/** A session's records in log order. */
export async function sessionInterventions(db: Db, sessionPk: string): Promise<StoredIntervention[]> {
  return db
    .select(columns)
    .from(interventions)
    .where(eq(interventions.sessionPk, sessionPk))
    .orderBy(asc(interventions.leafIndex));
}

/** One page of the whole log in leaf order (keyset pagination after `afterLeafIndex`), for exports. */
export async function interventionsPage(
  db: Db,
  opts: { afterLeafIndex: number; since?: Date | undefined; limit: number },
): Promise<StoredIntervention[]> {
  const after = gt(interventions.leafIndex, opts.afterLeafIndex);
  return db
    .select(columns)
    .from(interventions)
    .where(opts.since ? and(after, gte(interventions.createdAt, opts.since)) : after)
    .orderBy(asc(interventions.leafIndex))
    .limit(opts.limit);
}

/** A request for sizes the log cannot prove (answered 400). */
export class LogRangeError extends Error {}

export interface ConsistencyAnswer {
  from: number;
  to: number;
  /** base64 hashes (RFC 6962 §2.1.2) */
  proof: string[];
  oldCheckpoint: Checkpoint;
  newCheckpoint: Checkpoint;
}

export interface ReceiptService {
  /** The latest signed checkpoint, or null while the log is empty. */
  head(): Promise<Checkpoint | null>;
  /** Receipts against the latest checkpoint, by record id. */
  receiptsFor(
    items: ReadonlyArray<Pick<StoredIntervention, "record" | "leafIndex">>,
  ): Promise<Map<string, Receipt>>;
  /** Proof that the tree at `to` (default: the latest) extends the tree at `from`; both must be checkpointed. */
  consistency(from: number, to?: number): Promise<ConsistencyAnswer>;
}

const b64 = (h: Uint8Array) => Buffer.from(h).toString("base64");

export function createReceiptService(db: Db, signer: LogSigner): ReceiptService {
  const publicKeyPem = signer.key.publicKeyPem;
  return {
    head: () => checkpointHead(db, signer),

    async receiptsFor(items) {
      const out = new Map<string, Receipt>();
      if (items.length === 0) return out;
      // Read after the records: every record read is covered by this (or a later) checkpoint — signed now if needed.
      const checkpoint = await checkpointHead(db, signer);
      const highest = Math.max(...items.map((i) => i.leafIndex));
      if (!checkpoint || checkpoint.size <= highest) {
        throw new Error(`no checkpoint covers leaf ${highest}`);
      }
      const leaves = await leafHashes(db, checkpoint.size);
      if (leaves.length !== checkpoint.size) {
        throw new Error(`the log has ${leaves.length} leaves below checkpoint size ${checkpoint.size}`);
      }
      for (const { record, leafIndex } of items) {
        const proof = inclusionProof(leaves, leafIndex);
        out.set(record.id, buildReceipt(record, leafIndex, proof, checkpoint, publicKeyPem));
      }
      return out;
    },

    async consistency(from, to) {
      const latest = await checkpointHead(db, signer);
      if (!latest) throw new LogRangeError("The log is empty: there is nothing to prove yet.");
      const toSize = to ?? latest.size;
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(toSize) || from < 1 || from > toSize) {
        throw new LogRangeError(
          `from and to must be sizes with 1 ≤ from ≤ to (got from=${from}, to=${toSize}).`,
        );
      }
      if (toSize > latest.size) {
        throw new LogRangeError(`to=${toSize} is beyond the latest checkpoint (size ${latest.size}).`);
      }
      const [oldCheckpoint, newCheckpoint] = await Promise.all([
        checkpointAt(db, from),
        checkpointAt(db, toSize),
      ]);
      const missing = !oldCheckpoint ? from : !newCheckpoint ? toSize : null;
      if (missing !== null || !oldCheckpoint || !newCheckpoint) {
        throw new LogRangeError(
          `No signed checkpoint at size ${missing}: checkpoints exist only at the sizes the log reached after each append.`,
        );
      }
      const leaves = await leafHashes(db, toSize);
      const proof = consistencyProof(leaves, from, toSize).map(b64);
      return { from, to: toSize, proof, oldCheckpoint, newCheckpoint };
    },
  };
}
