/** Sessions and their message chains. All reads are scoped by tenant: another tenant's id is simply not found. */
import { createHmac } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { ChainNode } from "../session/chain.js";
import { type Db, runStatement, statement } from "./db.js";
import { newId } from "./ids.js";
import { messages, sessions } from "./schema/index.js";

export type SessionRow = typeof sessions.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

export interface SessionKey {
  tenantId: string;
  externalId: string;
  endUser: string | null;
  derived: boolean;
}

/**
 * The pk a new session gets: derived from (tenant, external id), so a request's chain can be hashed before the
 * session row is read and the upsert and the chain lookup go to the database as one statement. Keyed with a
 * server secret: message ids hash the pk, and records carry tenant and session ids, so an unkeyed pk would let
 * anyone holding a record test guesses of a message's content against its id — even after erasure.
 */
export function sessionPkFor(secret: string, tenantId: string, externalId: string): string {
  const h = createHmac("sha256", secret).update(`${tenantId}\n${externalId}`).digest("base64url");
  return `sp_${h.slice(0, 22)}`;
}

/** The session, created with a random pk if new, its updated_at touched — one statement (tests, benches). */
export async function ensureSession(db: Db, s: SessionKey): Promise<SessionRow> {
  const [row] = await db
    .insert(sessions)
    .values({ pk: newId("sp"), ...s })
    .onConflictDoUpdate({ target: [sessions.tenantId, sessions.externalId], set: { updatedAt: new Date() } })
    .returning();
  if (!row) throw new Error("session upsert returned nothing");
  return row;
}

export interface ChainLookup {
  /** Which of the asked ids are stored. */
  stored: Set<string>;
  /** Children of each asked id, with whether they have children themselves. */
  children: Map<string, Array<{ id: string; origin: string; hasChildren: boolean }>>;
}

interface ChainRow {
  id: string;
  parent_id: string | null;
  origin: string;
  has_children: boolean;
}

const CHAIN_LOOKUP = statement(`select m.id, m.parent_id, m.origin,
    exists (select 1 from messages c where c.parent_id = m.id) as has_children
  from messages m where m.id = any(:ids::text[]) or m.parent_id = any(:ids::text[])`);

/**
 * Which of the chain's ids are stored, and the children of each (with whether they have children themselves), so
 * the branch point and any dropped branch are known from one read. The ids travel as one array parameter, so the
 * text is prepared once.
 */
export async function chainLookup(db: Db, ids: string[]): Promise<ChainLookup> {
  const stored = new Set<string>();
  const children: ChainLookup["children"] = new Map();
  if (ids.length === 0) return { stored, children };
  const rows = await runStatement<ChainRow>(db, CHAIN_LOOKUP, { ids });
  const wanted = new Set(ids);
  for (const r of rows) {
    if (wanted.has(r.id)) stored.add(r.id);
    if (r.parent_id) {
      const list = children.get(r.parent_id) ?? [];
      list.push({ id: r.id, origin: r.origin, hasChildren: r.has_children });
      children.set(r.parent_id, list);
    }
  }
  return { stored, children };
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(String(v)));

/** A `sessions` row as `row_to_json` spells it (snake_case keys, ISO timestamps). */
export function sessionFromJson(j: Record<string, unknown>): SessionRow {
  return {
    pk: String(j.pk),
    tenantId: String(j.tenant_id),
    externalId: String(j.external_id),
    endUser: (j.end_user as string | null) ?? null,
    derived: Boolean(j.derived),
    createdAt: date(j.created_at) ?? new Date(),
    updatedAt: date(j.updated_at) ?? new Date(),
    deletedAt: date(j.deleted_at),
    restorableUntil: date(j.restorable_until),
    erasedAt: date(j.erased_at),
  };
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
