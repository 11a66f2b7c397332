/**
 * The append-only Merkle log in the database. Appends lock the head row of `log_state`, so leaf indexes are dense
 * and ordered across every instance; the frontier kept there makes each append O(log n) and the head's root
 * always known. Checkpoints are signed off the hot path (`checkpointHead`): by a timer in every instance, and on
 * demand when a receipt needs one.
 */
import { asc, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import { type Checkpoint, type SigningKey, signCheckpoint } from "../transparency/checkpoint.js";
import { appendToFrontier, frontierRoot, type MerkleFrontier } from "../transparency/merkle-frontier.js";
import type { InterventionRecord } from "../transparency/record.js";
import { type Db, executeRows } from "./db.js";
import { interventions, logCheckpoints, logState } from "./schema/index.js";

/** The id of the head row; the append's raw statements spell it as a literal. */
const HEAD = "head";

export interface LeafToAppend {
  record: InterventionRecord;
  leafHash: Buffer;
  salt: Buffer | null;
  sessionPk: string;
}

export interface LogSigner {
  key: SigningKey;
  origin: string;
}

/**
 * Appends records as leaves (in order). Must run inside the caller's transaction: the head row stays locked until
 * it commits, which is what keeps leaf indexes dense and ordered across instances.
 *
 * Two raw statements (lock and read the head; insert the leaves and write the new head), not the query
 * builder's three: a record write is on the turn's path. Through `executeRows` they are prepared (postgres.js)
 * and skip drizzle's per-query parser copy (PGlite), whose garbage made most of the p99. The values list's text
 * varies with the batch size: one prepared statement per batch size seen (a handful).
 */
export async function appendToLog(
  tx: Db,
  leaves: LeafToAppend[],
): Promise<{ firstIndex: number; size: number }> {
  const frontier = await lockHead(tx);
  const next = appendToFrontier(
    frontier,
    leaves.map((l) => l.leafHash),
  );
  const rows = sql.join(
    leaves.map((l, i) => leafRow(l, frontier.size + i)),
    sql`, `,
  );
  const nodes = JSON.stringify(next.nodes.map((n) => n.toString("base64")));
  await executeRows(
    tx,
    sql`with appended as (
      insert into interventions (id, tenant_id, session_pk, turn_id, cause, record, leaf_index, leaf_hash, salt)
      values ${rows}
    )
    update log_state set size = ${next.size}, frontier = ${nodes}::jsonb, updated_at = now() where id = 'head'`,
  );
  return { firstIndex: frontier.size, size: next.size };
}

/**
 * Row lock on the head (created by migration 0002): waits for a concurrent append, then reads its result.
 * The id is a literal: a statement without parameters is one round trip on postgres.js, not two.
 */
async function lockHead(tx: Db): Promise<MerkleFrontier> {
  const [head] = await executeRows<{ size: number | string; frontier: string[] }>(
    tx,
    sql`select size, frontier from log_state where id = 'head' for update`,
  );
  if (!head) throw new Error("the log's head row is missing (migration 0002 not applied)");
  // bigint arrives as a string from postgres.js and as a number from PGlite.
  return { size: Number(head.size), nodes: head.frontier.map((h) => Buffer.from(h, "base64")) };
}

function leafRow(l: LeafToAppend, leafIndex: number): SQL {
  const r = l.record;
  return sql`(${r.id}, ${r.tenantId}, ${l.sessionPk}, ${r.turnId}, ${r.cause}, ${JSON.stringify(r)}::jsonb, ${leafIndex}, ${l.leafHash}, ${l.salt})`;
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
