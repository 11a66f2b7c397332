/**
 * The hot path's writes as single statements. A turn that needs no intervention record is opened with one
 * statement (new input messages + the turn row) and ended with one (the reply snapshot + the ending [+ the journal
 * row of a non-streaming reply]). A single PostgreSQL statement is atomic, data-modifying CTEs included, so this
 * keeps the one-transaction guarantee at one round trip instead of five. Turns with records use the transaction
 * path (proxy/open-turn.ts, proxy/finish-turn.ts), which calls the same repositories.
 */
import { type SQL, sql } from "drizzle-orm";
import type { ChainNode } from "../session/chain.js";
import { type Db, executeRows } from "./db.js";
import { type SessionKey, type SessionRow, sessionFromJson } from "./sessions.js";
import type { NewTurn, TurnEnd } from "./turns.js";

const json = (v: unknown) => (v === null || v === undefined ? sql`null` : sql`${JSON.stringify(v)}::jsonb`);

function messageValues(
  sessionPk: string,
  nodes: ChainNode[],
  origin: "input" | "output",
  extra: { status: string; turnId: string | null; meta: unknown },
): SQL {
  return sql.join(
    nodes.map(
      (n) =>
        sql`(${n.id}, ${sessionPk}, ${n.parentId}, ${n.role}, ${json(n.content)}, ${n.contentHash}, ${n.depth}, ${origin}, ${extra.status}, ${extra.turnId}, ${json(extra.meta)})`,
    ),
    sql`, `,
  );
}

const MESSAGE_COLUMNS = sql.raw(
  "(id, session_pk, parent_id, role, content, content_hash, depth, origin, status, turn_id, meta)",
);

const TURN_COLUMNS = sql.raw(
  "(id, tenant_id, session_pk, input_leaf_id, status, model, stream, request_id, instance_id, request_key, params)",
);

const turnValues = (turn: NewTurn) =>
  sql`${turn.id}, ${turn.tenantId}, ${turn.sessionPk}, ${turn.inputLeafId}, 'in_flight', ${turn.model ?? null}, ${turn.stream},
      ${turn.requestId}, ${turn.instanceId}, ${turn.requestKey ?? null}, ${json(turn.params)}`;

/** New input messages and the turn row, in one statement. */
export async function openTurnStatement(
  db: Db,
  sessionPk: string,
  nodes: ChainNode[],
  turn: NewTurn,
): Promise<void> {
  const insertTurn = sql`insert into turns ${TURN_COLUMNS} values (${turnValues(turn)})`;
  if (nodes.length === 0) {
    await db.execute(insertTurn);
    return;
  }
  const values = messageValues(sessionPk, nodes, "input", { status: "complete", turnId: null, meta: null });
  await db.execute(sql`with new_messages as (
      insert into messages ${MESSAGE_COLUMNS} values ${values} on conflict (id) do nothing returning 1
    ) ${insertTurn}`);
}

/** How many of the chain's last messages `openPlainTurn` carries the content of (the ones that can be new). */
export const PLAIN_TAIL = 3;

/**
 * The common turn in ONE statement, session included: the session upserted, the chain's stored prefix found, the
 * new messages and the turn row inserted — but only when the turn is plain: `open` (the caller has nothing to
 * record), the session's pk is the one the chain was hashed under, every message not stored yet is among the last
 * `PLAIN_TAIL` (whose content this statement carries), and the client dropped no branch (which must be recorded
 * with the turn). Otherwise nothing but the session upsert happens and `opened` is false: the caller takes the
 * general path with the returned session (resolveSession, then a statement or a transaction).
 * The stored part of a chain is a prefix (ids are chained), so its length is where the first unknown id is.
 */
export async function openPlainTurn(
  db: Db,
  p: { session: SessionKey; sessionPk: string; chain: ChainNode[]; turn: NewTurn; open: boolean },
): Promise<{ session: SessionRow; opened: boolean }> {
  const ids = p.chain.map((n) => n.id);
  const tail = p.chain.slice(-PLAIN_TAIL);
  const col = <T>(f: (n: ChainNode) => T) => sql.param(tail.map(f));
  const { session: s, sessionPk: pk } = p;
  const rows = await executeRows<{ session: Record<string, unknown>; opened: boolean }>(
    db,
    sql`with s as (
      insert into sessions (pk, tenant_id, external_id, end_user, derived)
      values (${pk}, ${s.tenantId}, ${s.externalId}, ${s.endUser}, ${s.derived})
      on conflict (tenant_id, external_id) do update set updated_at = now()
      returning *
    ),
    chain as (select c.id, c.i from unnest(${sql.param(ids)}::text[]) with ordinality as c(id, i)),
    prefix as (
      select coalesce(min(chain.i) - 1, ${ids.length}) as k from chain
      where not exists (select 1 from messages m where m.id = chain.id)
    ),
    plain as (
      select ${p.open}::boolean and (select s.pk from s) = ${pk}
        and ${ids.length} - prefix.k <= ${tail.length}
        and not exists (
          select 1 from messages c
          where prefix.k > 0 and c.parent_id = (${sql.param(ids)}::text[])[prefix.k]
            and c.id is distinct from (${sql.param(ids)}::text[])[prefix.k + 1]
            and (c.origin = 'input' or exists (select 1 from messages g where g.parent_id = c.id))
        ) as ok,
        prefix.k
      from prefix
    ),
    new_messages as (
      insert into messages ${MESSAGE_COLUMNS}
      select n.id, ${pk}, n.parent_id, n.role, n.content::jsonb, n.content_hash, n.depth, 'input', 'complete', null, null
      from unnest(${col((n) => n.id)}::text[], ${col((n) => n.parentId)}::text[], ${col((n) => n.role)}::text[],
                  ${col((n) => (n.content === null || n.content === undefined ? null : JSON.stringify(n.content)))}::text[], ${col((n) => n.contentHash)}::text[],
                  ${col((n) => n.depth)}::int[]) as n(id, parent_id, role, content, content_hash, depth)
      where (select ok from plain) and n.depth >= (select k from plain)
      on conflict (id) do nothing
      returning 1
    ),
    new_turn as (
      insert into turns ${TURN_COLUMNS} select ${turnValues(p.turn)} where (select ok from plain) returning 1
    )
    select row_to_json(s) as session, (select ok from plain) as opened from s`,
  );
  const first = rows[0];
  if (!first) throw new Error("session upsert returned nothing");
  return { session: sessionFromJson(first.session), opened: first.opened === true };
}

export interface FinishStatement {
  turnId: string;
  sessionPk: string;
  output: ChainNode | null;
  outputStatus: "complete" | "partial";
  outputMeta: unknown;
  end: TurnEnd;
  /** A non-streaming reply's body, journaled in the same statement. */
  journal: { seq: number; data: string } | null;
}

/** The reply snapshot, the ending (only if still in flight) and an optional journal row, in one statement. */
export async function finishTurnStatement(db: Db, f: FinishStatement): Promise<boolean> {
  const ctes: SQL[] = [];
  if (f.output) {
    const values = messageValues(f.sessionPk, [f.output], "output", {
      status: f.outputStatus,
      turnId: f.turnId,
      meta: f.outputMeta,
    });
    ctes.push(
      sql`reply as (insert into messages ${MESSAGE_COLUMNS} values ${values} on conflict (id) do nothing returning 1)`,
    );
  }
  if (f.journal) {
    ctes.push(
      sql`journaled as (insert into journal (turn_id, seq, data) values (${f.turnId}, ${f.journal.seq}, ${f.journal.data}) returning 1)`,
    );
  }
  const e = f.end;
  const update = sql`update turns set status = 'ended', ended_at = now(), cause = ${e.cause}, stop_reason = ${e.stopReason},
      output_message_id = ${e.outputMessageId}, upstream_request_id = ${e.upstreamRequestId}, usage = ${json(e.usage)},
      error = ${json(e.error)}, output_chars = ${e.outputChars}, model = coalesce(${e.model ?? null}, model)
    where id = ${f.turnId} and status = 'in_flight' returning id`;
  const statement = ctes.length ? sql`with ${sql.join(ctes, sql`, `)} ${update}` : update;
  const rows = await executeRows<{ id: string }>(db, statement);
  return rows.length > 0;
}
