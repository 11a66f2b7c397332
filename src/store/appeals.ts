/**
 * Appeals and the reads the appeal flow needs (withheld output). Tenant scoping is the caller's: moderators act
 * across tenants, end users and apps only ever reach an appeal through a record they may already see.
 */
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "./db.js";
import { newId } from "./ids.js";
import { appeals, withheldContent } from "./schema/index.js";

export type AppealRow = typeof appeals.$inferSelect;
export type WithheldRow = typeof withheldContent.$inferSelect;
export type AppealStatus = AppealRow["status"];

export interface NewAppeal {
  tenantId: string;
  sessionPk: string;
  interventionId: string;
  appellant: AppealRow["appellant"];
  userId: string | null;
  statement: string | null;
}

/** Files an appeal. Returns null when the record already has one (the unique index decides, race-free). */
export async function insertAppeal(db: Db, a: NewAppeal): Promise<AppealRow | null> {
  const rows = await db
    .insert(appeals)
    .values({ id: newId("apl"), status: "open", ...a })
    .onConflictDoNothing({ target: appeals.interventionId })
    .returning();
  return rows[0] ?? null;
}

export async function findAppeal(db: Db, id: string): Promise<AppealRow | undefined> {
  const [row] = await db.select().from(appeals).where(eq(appeals.id, id));
  return row;
}

export async function appealForIntervention(db: Db, interventionId: string): Promise<AppealRow | undefined> {
  const [row] = await db.select().from(appeals).where(eq(appeals.interventionId, interventionId));
  return row;
}

/** Appeals of these records, by record id. */
export async function appealsForInterventions(db: Db, ids: string[]): Promise<Map<string, AppealRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(appeals).where(inArray(appeals.interventionId, ids));
  return new Map(rows.map((r) => [r.interventionId, r]));
}

/** The moderation queue: open appeals oldest first (first come, first served); decided ones newest first. */
export async function listAppeals(db: Db, status: AppealStatus, limit: number): Promise<AppealRow[]> {
  return db
    .select()
    .from(appeals)
    .where(eq(appeals.status, status))
    .orderBy(status === "open" ? asc(appeals.createdAt) : desc(appeals.decidedAt), asc(appeals.id))
    .limit(limit);
}

/**
 * Closes an open appeal with the moderator's decision. Returns null when it was not open (already decided, or
 * decided concurrently): the row lock taken here makes the first decision win.
 */
export async function closeAppeal(
  db: Db,
  id: string,
  d: { decision: "upheld" | "reversed"; reason: string; decidedAt: Date },
): Promise<AppealRow | null> {
  const rows = await db
    .update(appeals)
    .set({ status: "decided", ...d })
    .where(and(eq(appeals.id, id), eq(appeals.status, "open")))
    .returning();
  return rows[0] ?? null;
}

/** Links a decided appeal to its decision record and the message a reversal restored. */
export async function linkAppealDecision(
  db: Db,
  id: string,
  links: { decisionInterventionId: string; restoredMessageId: string | null },
): Promise<AppealRow> {
  const [row] = await db.update(appeals).set(links).where(eq(appeals.id, id)).returning();
  if (!row) throw new Error(`appeal ${id} vanished while being decided`);
  return row;
}

/**
 * What erasure must also purge: the appellants' own words. (Called by the session erasure; ids, status and the
 * moderator's decision stay, as the log's records do.)
 */
export async function eraseAppealStatements(db: Db, sessionPk: string): Promise<void> {
  await db.update(appeals).set({ statement: null }).where(eq(appeals.sessionPk, sessionPk));
}

/** Withheld original output of a turn (moderators only), not yet erased. */
export async function withheldForTurn(db: Db, turnId: string): Promise<WithheldRow[]> {
  return db
    .select()
    .from(withheldContent)
    .where(and(eq(withheldContent.turnId, turnId), isNull(withheldContent.erasedAt)))
    .orderBy(asc(withheldContent.createdAt));
}
