/** Turns: one request/response exchange each, opened before forwarding, ended with its cause. */
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "./db.js";
import { turns } from "./schema/index.js";
import type { TurnEnding } from "./schema/turns.js";

export type TurnRow = typeof turns.$inferSelect;
export type NewTurn = typeof turns.$inferInsert;

export async function openTurn(db: Db, turn: NewTurn): Promise<void> {
  await db.insert(turns).values(turn);
}

export interface TurnEnd {
  cause: TurnEnding;
  stopReason: string | null;
  outputMessageId: string | null;
  upstreamRequestId: string | null;
  usage: Record<string, unknown> | null;
  error: { type: string; status: number | null; message: string | null } | null;
  outputChars: number;
  model?: string | null;
}

/** Ends a turn still in flight. Returns false when someone else ended it first (crash recovery vs. a late writer). */
export async function endTurn(db: Db, turnId: string, end: TurnEnd): Promise<boolean> {
  const rows = await db
    .update(turns)
    .set({ ...end, status: "ended", endedAt: new Date() })
    .where(and(eq(turns.id, turnId), eq(turns.status, "in_flight")))
    .returning({ id: turns.id });
  return rows.length > 0;
}

export async function findTurn(db: Db, tenantId: string, turnId: string): Promise<TurnRow | undefined> {
  const [row] = await db
    .select()
    .from(turns)
    .where(and(eq(turns.id, turnId), eq(turns.tenantId, tenantId)));
  return row;
}

export async function sessionTurns(db: Db, sessionPk: string): Promise<TurnRow[]> {
  return db.select().from(turns).where(eq(turns.sessionPk, sessionPk)).orderBy(turns.startedAt);
}

/** Turns left in flight by instances other than `liveInstanceId` (crash recovery). */
export async function inFlightTurns(db: Db, exceptInstanceId: string): Promise<TurnRow[]> {
  return db
    .select()
    .from(turns)
    .where(and(eq(turns.status, "in_flight"), ne(turns.instanceId, exceptInstanceId)));
}
