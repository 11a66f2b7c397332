/**
 * The append-only Merkle log in the database. Appends lock the head row of `log_state`, so leaf indexes are dense
 * and ordered across every instance; the frontier kept there makes each append O(log n) and the head's root
 * always known. Checkpoints are signed off the hot path (`checkpointHead`): by a timer in every instance, and on
 * demand when a receipt needs one.
 */
import { asc, desc, eq, lt } from "drizzle-orm";
import { type Checkpoint, type SigningKey, signCheckpoint } from "../transparency/checkpoint.js";
import { frontierRoot } from "../transparency/merkle-frontier.js";
import type { InterventionRecord } from "../transparency/record.js";
import { type Db, runStatement, statement } from "./db.js";
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

// Bytes travel as hex text ('\x…' casts to bytea): postgres.js would type an array of Buffers as one bytea.
const hex = (b: Buffer | null) => (b === null ? null : `\\x${b.toString("hex")}`);

const APPEND =
  statement(`with a as (select first_index, new_size from candor_log_append(:leaf_hashes::text[]::bytea[])),
    leaves as (
      insert into interventions (id, tenant_id, session_pk, turn_id, cause, record, leaf_index, leaf_hash, salt)
      select v.id, v.tenant_id, v.session_pk, v.turn_id, v.cause, v.record::jsonb, a.first_index + v.i - 1,
             v.leaf_hash, v.salt
      from a, unnest(:ids::text[], :tenant_ids::text[], :session_pks::text[], :turn_ids::text[], :causes::text[],
                     :records::text[], :leaf_hashes::text[]::bytea[], :salts::text[]::bytea[])
           with ordinality as v(id, tenant_id, session_pk, turn_id, cause, record, leaf_hash, salt, i)
      returning 1
    )
    select first_index, new_size from a`);

/**
 * Appends records as leaves (in order). Must run inside the caller's transaction: the head row stays locked until
 * it commits, which is what keeps leaf indexes dense and ordered across instances.
 *
 * One statement: `candor_log_append` (migration 0003) locks the head, folds the leaf hashes into the frontier and
 * returns where the leaves went, and the same statement inserts them. A record write is on the turn's path, so
 * one round trip matters; the leaves travel as arrays, so the text is the same for any batch (prepared once).
 */
export async function appendToLog(
  tx: Db,
  leaves: LeafToAppend[],
): Promise<{ firstIndex: number; size: number }> {
  const col = <T>(f: (l: LeafToAppend) => T) => leaves.map(f);
  const [appended] = await runStatement<{ first_index: number | string; new_size: number | string }>(
    tx,
    APPEND,
    {
      leaf_hashes: col((l) => hex(l.leafHash)),
      ids: col((l) => l.record.id),
      tenant_ids: col((l) => l.record.tenantId),
      session_pks: col((l) => l.sessionPk),
      turn_ids: col((l) => l.record.turnId),
      causes: col((l) => l.record.cause),
      records: col((l) => JSON.stringify(l.record)),
      salts: col((l) => hex(l.salt)),
    },
  );
  if (!appended) throw new Error("candor_log_append returned nothing");
  // bigint arrives as a string from postgres.js and as a number from PGlite.
  return { firstIndex: Number(appended.first_index), size: Number(appended.new_size) };
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
