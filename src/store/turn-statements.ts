/**
 * The hot path's writes as single statements. A turn that needs no intervention record is opened with one
 * statement (new input messages + the turn row) and ended with one (the reply snapshot + the ending [+ the journal
 * row of a non-streaming reply]). A single PostgreSQL statement is atomic, data-modifying CTEs included, so this
 * keeps the one-transaction guarantee at one round trip instead of five. Turns with records use the transaction
 * path (proxy/open-turn.ts, proxy/finish-turn.ts), which calls the same repositories.
 */
import type { ChainNode } from "../session/chain.js";
import { type Db, runStatement, statement } from "./db.js";
import { type SessionKey, type SessionRow, sessionFromJson } from "./sessions.js";
import type { NewTurn, TurnEnd } from "./turns.js";

const jsonText = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** New input messages as parallel arrays (the `unnest` below), so one statement text serves any number of them. */
function messageColumns(nodes: ChainNode[]) {
  const col = <T>(f: (n: ChainNode) => T) => nodes.map(f);
  return {
    m_id: col((n) => n.id),
    m_parent: col((n) => n.parentId),
    m_role: col((n) => n.role),
    m_content: col((n) => jsonText(n.content)),
    m_hash: col((n) => n.contentHash),
    m_depth: col((n) => n.depth),
  };
}

const NEW_INPUT = `select n.id, :pk, n.parent_id, n.role, n.content::jsonb, n.content_hash, n.depth, 'input', 'complete', null, null
      from unnest(:m_id::text[], :m_parent::text[], :m_role::text[], :m_content::text[], :m_hash::text[], :m_depth::int[])
        as n(id, parent_id, role, content, content_hash, depth)`;

const MESSAGE_COLUMNS =
  "(id, session_pk, parent_id, role, content, content_hash, depth, origin, status, turn_id, meta)";

const INSERT_TURN = `insert into turns
      (id, tenant_id, session_pk, input_leaf_id, status, model, stream, request_id, instance_id, request_key, params)
      select :turn_id, :turn_tenant_id, :turn_session_pk, :input_leaf_id, 'in_flight', :model, :stream::boolean, :request_id,
             :instance_id, :request_key, :params::jsonb`;

function turnParams(turn: NewTurn) {
  return {
    turn_id: turn.id,
    turn_tenant_id: turn.tenantId,
    turn_session_pk: turn.sessionPk,
    input_leaf_id: turn.inputLeafId,
    model: turn.model ?? null,
    stream: turn.stream,
    request_id: turn.requestId,
    instance_id: turn.instanceId,
    request_key: turn.requestKey ?? null,
    params: jsonText(turn.params),
  };
}

const OPEN_TURN = statement(`with new_messages as (
      insert into messages ${MESSAGE_COLUMNS} ${NEW_INPUT}
      on conflict (id) do nothing returning 1
    ) ${INSERT_TURN}`);

/** New input messages (any number, none included) and the turn row, in one statement. */
export async function openTurnStatement(
  db: Db,
  sessionPk: string,
  nodes: ChainNode[],
  turn: NewTurn,
): Promise<void> {
  await runStatement(db, OPEN_TURN, { pk: sessionPk, ...messageColumns(nodes), ...turnParams(turn) });
}

/** How many of the chain's last messages `openPlainTurn` carries the content of (the ones that can be new). */
export const PLAIN_TAIL = 3;

const OPEN_PLAIN_TURN = statement(`with s as (
      insert into sessions (pk, tenant_id, external_id, end_user, derived)
      values (:pk, :tenant_id, :external_id, :end_user, :derived::boolean)
      on conflict (tenant_id, external_id) do update set updated_at = now()
      returning *
    ),
    chain as (select c.id, c.i from unnest(:ids::text[]) with ordinality as c(id, i)),
    prefix as (
      select coalesce(min(chain.i) - 1, cardinality(:ids::text[])) as k from chain
      where not exists (select 1 from messages m where m.id = chain.id)
    ),
    plain as (
      select :open::boolean and (select s.pk from s) = :pk
        and cardinality(:ids::text[]) - prefix.k <= cardinality(:m_id::text[])
        and not exists (
          select 1 from messages c
          where prefix.k > 0 and c.parent_id = (:ids::text[])[prefix.k]
            and c.id is distinct from (:ids::text[])[prefix.k + 1]
            and (c.origin = 'input' or exists (select 1 from messages g where g.parent_id = c.id))
        ) as ok,
        prefix.k
      from prefix
    ),
    new_messages as (
      insert into messages ${MESSAGE_COLUMNS}
      ${NEW_INPUT}
      where (select ok from plain) and n.depth >= (select k from plain)
      on conflict (id) do nothing
      returning 1
    ),
    new_turn as (${INSERT_TURN} where (select ok from plain) returning 1)
    select row_to_json(s) as session, (select ok from plain) as opened from s`);

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
  const { session: s, sessionPk: pk } = p;
  const rows = await runStatement<{ session: Record<string, unknown>; opened: boolean }>(
    db,
    OPEN_PLAIN_TURN,
    {
      pk,
      tenant_id: s.tenantId,
      external_id: s.externalId,
      end_user: s.endUser,
      derived: s.derived,
      ids: p.chain.map((n) => n.id),
      open: p.open,
      ...messageColumns(p.chain.slice(-PLAIN_TAIL)),
      ...turnParams(p.turn),
    },
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

const FINISH_TURN = statement(`with reply as (
      insert into messages ${MESSAGE_COLUMNS}
      select :out_id, :pk, :out_parent, :out_role, :out_content::jsonb, :out_hash, :out_depth::int, 'output',
             :out_status, :turn_id, :out_meta::jsonb
      where :out_id::text is not null
      on conflict (id) do nothing returning 1
    ),
    journaled as (
      insert into journal (turn_id, seq, data) select :turn_id, :seq::int, :data::text
      where :data::text is not null returning 1
    )
    update turns set status = 'ended', ended_at = now(), cause = :cause, stop_reason = :stop_reason,
      output_message_id = :output_message_id, upstream_request_id = :upstream_request_id, usage = :usage::jsonb,
      error = :error::jsonb, output_chars = :output_chars::int, model = coalesce(:model, model)
    where id = :turn_id and status = 'in_flight' returning id`);

/** The reply snapshot (if any), the ending (only if still in flight) and an optional journal row, in one statement. */
export async function finishTurnStatement(db: Db, f: FinishStatement): Promise<boolean> {
  const o = f.output;
  const e = f.end;
  const rows = await runStatement<{ id: string }>(db, FINISH_TURN, {
    turn_id: f.turnId,
    pk: f.sessionPk,
    out_id: o?.id ?? null,
    out_parent: o?.parentId ?? null,
    out_role: o?.role ?? null,
    out_content: o ? jsonText(o.content) : null,
    out_hash: o?.contentHash ?? null,
    out_depth: o?.depth ?? null,
    out_status: f.outputStatus,
    out_meta: jsonText(f.outputMeta),
    seq: f.journal?.seq ?? null,
    data: f.journal?.data ?? null,
    cause: e.cause,
    stop_reason: e.stopReason,
    output_message_id: e.outputMessageId,
    upstream_request_id: e.upstreamRequestId,
    usage: jsonText(e.usage),
    error: jsonText(e.error),
    output_chars: e.outputChars,
    model: e.model ?? null,
  });
  return rows.length > 0;
}
