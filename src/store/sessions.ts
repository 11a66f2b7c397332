/** Sessions and their message chains. All reads are scoped by tenant: another tenant's id is simply not found. */
import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { ChainNode } from "../session/chain.js";
import type { Db } from "./db.js";
import { newId } from "./ids.js";
import { messages, sessions } from "./schema/index.js";

export type SessionRow = typeof sessions.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

/** The session, created if new, its updated_at touched — one statement. */
export async function ensureSession(
  db: Db,
  s: { tenantId: string; externalId: string; endUser: string | null; derived: boolean },
): Promise<SessionRow> {
  const [row] = await db
    .insert(sessions)
    .values({ pk: newId("sp"), ...s })
    .onConflictDoUpdate({ target: [sessions.tenantId, sessions.externalId], set: { updatedAt: new Date() } })
    .returning();
  if (!row) throw new Error("session upsert returned nothing");
  return row;
}

export async function findSession(
  db: Db,
  tenantId: string,
  externalId: string,
): Promise<SessionRow | undefined> {
  const [row] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.tenantId, tenantId), eq(sessions.externalId, externalId)));
  return row;
}

/**
 * One read for resolving a request: which of the chain's ids are stored, and the children of each (with whether
 * they have children themselves), so the branch point and any dropped branch are known without a second query.
 */
export async function chainLookup(
  db: Db,
  ids: string[],
): Promise<{
  stored: Set<string>;
  children: Map<string, Array<{ id: string; origin: string; hasChildren: boolean }>>;
}> {
  const stored = new Set<string>();
  const children = new Map<string, Array<{ id: string; origin: string; hasChildren: boolean }>>();
  if (ids.length === 0) return { stored, children };
  const grandchild = sql`exists (select 1 from ${messages} c where c.parent_id = ${messages.id})`;
  const rows = await db
    .select({
      id: messages.id,
      parentId: messages.parentId,
      origin: messages.origin,
      hasChildren: sql<boolean>`${grandchild}`,
    })
    .from(messages)
    .where(or(inArray(messages.id, ids), inArray(messages.parentId, ids)));
  const wanted = new Set(ids);
  for (const r of rows) {
    if (wanted.has(r.id)) stored.add(r.id);
    if (r.parentId) {
      const list = children.get(r.parentId) ?? [];
      list.push({ id: r.id, origin: r.origin, hasChildren: Boolean(r.hasChildren) });
      children.set(r.parentId, list);
    }
  }
  return { stored, children };
}

/** Inserts nodes not yet stored (concurrent identical requests insert each message once). */
export async function insertMessages(
  db: Db,
  sessionPk: string,
  nodes: ChainNode[],
  origin: "input" | "output",
  extra: Partial<Pick<MessageRow, "status" | "turnId" | "meta">> = {},
): Promise<void> {
  if (nodes.length === 0) return;
  await db
    .insert(messages)
    .values(
      nodes.map((n) => ({
        id: n.id,
        sessionPk,
        parentId: n.parentId,
        role: n.role,
        content: n.content,
        contentHash: n.contentHash,
        depth: n.depth,
        origin,
        ...extra,
      })),
    )
    .onConflictDoNothing({ target: messages.id });
}

export async function sessionMessages(db: Db, sessionPk: string): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(eq(messages.sessionPk, sessionPk))
    .orderBy(messages.depth, messages.createdAt);
}

export async function listSessions(
  db: Db,
  tenantId: string,
  opts: { endUser?: string; limit: number; includeDeleted?: boolean },
): Promise<SessionRow[]> {
  const conds = [eq(sessions.tenantId, tenantId)];
  if (opts.endUser !== undefined) conds.push(eq(sessions.endUser, opts.endUser));
  if (!opts.includeDeleted) conds.push(isNull(sessions.erasedAt));
  return db
    .select()
    .from(sessions)
    .where(and(...conds))
    .orderBy(desc(sessions.updatedAt))
    .limit(opts.limit);
}

export type SessionState = "active" | "interrupted" | "deleted" | "erased";

/** A session's state: erased/deleted first, else interrupted when its latest turn did not complete. */
export function sessionState(
  s: SessionRow,
  latestCause: string | null,
  latestStatus: string | null,
): SessionState {
  if (s.erasedAt) return "erased";
  if (s.deletedAt) return "deleted";
  if (latestStatus === "in_flight") return "active";
  return latestCause && !["completed", "length_limit"].includes(latestCause) ? "interrupted" : "active";
}

/** Sessions with their latest turn's cause, newest first. */
export async function listSessionsWithLatest(
  db: Db,
  tenantId: string,
  opts: { endUser?: string; limit: number },
): Promise<Array<SessionRow & { latestCause: string | null; latestStatus: string | null; turns: number }>> {
  const rows = await listSessions(db, tenantId, { ...opts, includeDeleted: true });
  if (rows.length === 0) return [];
  const pks = rows.map((r) => r.pk);
  const latest = await db.execute<{
    session_pk: string;
    cause: string | null;
    status: string;
    n: number;
  }>(sql`
    select distinct on (session_pk) session_pk, cause, status,
      count(*) over (partition by session_pk)::int as n
    from turns where session_pk in ${pks} order by session_pk, started_at desc`);
  const resultRows = (Array.isArray(latest) ? latest : (latest as { rows: unknown[] }).rows) as Array<{
    session_pk: string;
    cause: string | null;
    status: string;
    n: number;
  }>;
  const byPk = new Map(resultRows.map((r) => [r.session_pk, r]));
  return rows.map((r) => {
    const l = byPk.get(r.pk);
    return { ...r, latestCause: l?.cause ?? null, latestStatus: l?.status ?? null, turns: Number(l?.n ?? 0) };
  });
}
