/**
 * Deletion is soft first: content stays restorable until a stated date. Erasure is explicit and final: content is
 * purged from every table (messages, journal, withheld output, turn parameters, commitment salts), and what remains
 * is a tombstone — ids, timestamps and a content hash — so the audit log stays verifiable.
 */
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { eraseAppealStatements } from "./appeals.js";
import type { Db } from "./db.js";
import { interventions, journal, messages, sessions, turns, withheldContent } from "./schema/index.js";

export async function softDeleteSession(db: Db, pk: string, until: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ deletedAt: new Date(), restorableUntil: until })
    .where(and(eq(sessions.pk, pk), isNull(sessions.erasedAt)));
}

export async function undeleteSession(db: Db, pk: string): Promise<void> {
  await db.update(sessions).set({ deletedAt: null, restorableUntil: null }).where(eq(sessions.pk, pk));
  await db
    .update(messages)
    .set({ deletedAt: null, restorableUntil: null })
    .where(and(eq(messages.sessionPk, pk), isNull(messages.erasedAt)));
}

/** Soft-deletes one message. Returns false when it is not in the session. */
export async function softDeleteMessage(
  db: Db,
  sessionPk: string,
  messageId: string,
  until: Date,
): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({ deletedAt: new Date(), restorableUntil: until })
    .where(and(eq(messages.id, messageId), eq(messages.sessionPk, sessionPk), isNull(messages.erasedAt)))
    .returning({ id: messages.id });
  return rows.length > 0;
}

/** Purges a session's content for good (messages become tombstones). */
export async function eraseSessionContent(db: Db, pk: string): Promise<{ messages: number }> {
  const turnIds = db.select({ id: turns.id }).from(turns).where(eq(turns.sessionPk, pk));
  await db.delete(journal).where(inArray(journal.turnId, turnIds));
  await db.delete(withheldContent).where(eq(withheldContent.sessionPk, pk));
  await db.update(turns).set({ params: null, error: null }).where(eq(turns.sessionPk, pk));
  await db.update(interventions).set({ salt: null }).where(eq(interventions.sessionPk, pk));
  await eraseAppealStatements(db, pk); // the user's own words in their appeals
  const erased = await db
    .update(messages)
    .set({ content: null, erasedAt: new Date() })
    .where(and(eq(messages.sessionPk, pk), isNull(messages.erasedAt)))
    .returning({ id: messages.id });
  await db.update(sessions).set({ erasedAt: new Date(), endUser: null }).where(eq(sessions.pk, pk));
  return { messages: erased.length };
}

/** Soft-deleted sessions (or sessions with soft-deleted messages) whose restorable period is over. */
export async function expiredDeletions(
  db: Db,
  now: Date,
  limit: number,
): Promise<Array<{ pk: string; tenantId: string; externalId: string }>> {
  const expiredMessage = sql`exists (select 1 from ${messages} m where m.session_pk = ${sessions.pk} and m.erased_at is null and m.restorable_until < ${now.toISOString()}::timestamptz)`;
  return db
    .select({ pk: sessions.pk, tenantId: sessions.tenantId, externalId: sessions.externalId })
    .from(sessions)
    .where(and(isNull(sessions.erasedAt), or(lt(sessions.restorableUntil, now), expiredMessage)))
    .limit(limit);
}

/** Purges only the expired soft-deleted messages of a session (the session itself stays). */
export async function eraseExpiredMessages(db: Db, pk: string, now: Date): Promise<number> {
  const rows = await db
    .update(messages)
    .set({ content: null, erasedAt: now })
    .where(and(eq(messages.sessionPk, pk), isNull(messages.erasedAt), lt(messages.restorableUntil, now)))
    .returning({ id: messages.id });
  return rows.length;
}
