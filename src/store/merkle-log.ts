/**
 * The append-only Merkle log in the database. Appends take a transaction-scoped advisory lock, so leaf indexes
 * are dense and ordered across every instance; the frontier kept in `log_state` makes each append O(log n) and the
 * head's root always known. Checkpoints are signed off the hot path (`checkpointHead`): by a timer in every
 * instance, and on demand when a receipt needs one.
 */
import { asc, desc, eq, lt } from "drizzle-orm";
import { type Checkpoint, type SigningKey, signCheckpoint } from "../transparency/checkpoint.js";
import { appendToFrontier, frontierRoot } from "../transparency/merkle-frontier.js";
import type { InterventionRecord } from "../transparency/record.js";
import type { Db } from "./db.js";
import { interventions, logCheckpoints, logState } from "./schema/index.js";

const HEAD = "head";

export interface LeafToAppend {
  record: InterventionRecord;
  leafHash: Buffer;
  salt: Buffer | null;
  sessionPk: string;
}

/** Appends records as leaves (in order) and signs the new head. Must run inside the caller's transaction. */
export interface LogSigner {
  key: SigningKey;
  origin: string;
}

export async function appendToLog(
  tx: Db,
  leaves: LeafToAppend[],
): Promise<{ firstIndex: number; size: number }> {
  // Row lock on the head (created by migration 0002): waits for a concurrent append, then reads its result.
  const [head] = await tx.select().from(logState).where(eq(logState.id, HEAD)).for("update");
  if (!head) throw new Error("the log's head row is missing (migration 0002 not applied)");
  const frontier = {
    size: head?.size ?? 0,
    nodes: (head?.frontier ?? []).map((h) => Buffer.from(h, "base64")),
  };
  const firstIndex = frontier.size;
  await tx.insert(interventions).values(
    leaves.map((l, i) => ({
      id: l.record.id,
      tenantId: l.record.tenantId,
      sessionPk: l.sessionPk,
      turnId: l.record.turnId,
      cause: l.record.cause,
      record: l.record,
      leafIndex: firstIndex + i,
      leafHash: l.leafHash,
      salt: l.salt,
    })),
  );
  const next = appendToFrontier(
    frontier,
    leaves.map((l) => l.leafHash),
  );
  const state = {
    size: next.size,
    frontier: next.nodes.map((n) => n.toString("base64")),
    updatedAt: new Date(),
  };
  await tx.update(logState).set(state).where(eq(logState.id, HEAD));
  return { firstIndex, size: next.size };
}

/** The latest checkpoint, signing the head first when the log grew since (idempotent across instances). */
export async function checkpointHead(db: Db, signer: LogSigner): Promise<Checkpoint | null> {
  const [head] = await db.select().from(logState).where(eq(logState.id, HEAD));
  const latest = await latestCheckpoint(db);
  if (!head || (latest && latest.size >= head.size)) return latest;
  const frontier = { size: head.size, nodes: head.frontier.map((h) => Buffer.from(h, "base64")) };
  const checkpoint = signCheckpoint(signer.key, signer.origin, head.size, frontierRoot(frontier), new Date());
  await db
    .insert(logCheckpoints)
    .values({
      size: head.size,
      rootHash: checkpoint.rootHash,
      checkpoint: checkpoint as unknown as Record<string, unknown>,
    })
    .onConflictDoNothing({ target: logCheckpoints.size });
  return (await checkpointAt(db, head.size)) ?? checkpoint;
}

export async function latestCheckpoint(db: Db): Promise<Checkpoint | null> {
  const [row] = await db.select().from(logCheckpoints).orderBy(desc(logCheckpoints.size)).limit(1);
  return (row?.checkpoint as unknown as Checkpoint) ?? null;
}

export async function checkpointAt(db: Db, size: number): Promise<Checkpoint | null> {
  const [row] = await db.select().from(logCheckpoints).where(eq(logCheckpoints.size, size));
  return (row?.checkpoint as unknown as Checkpoint) ?? null;
}

/** Leaf hashes [0, size), in order (for inclusion and consistency proofs). */
export async function leafHashes(db: Db, size: number): Promise<Buffer[]> {
  const rows = await db
    .select({ h: interventions.leafHash })
    .from(interventions)
    .where(lt(interventions.leafIndex, size))
    .orderBy(asc(interventions.leafIndex));
  return rows.map((r) => r.h);
}
