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

/** New input messages and the turn row, in one statement. */
export async function openTurnStatement(
  db: Db,
  sessionPk: string,
  nodes: ChainNode[],
  turn: NewTurn,
): Promise<void> {
  const insertTurn = sql`insert into turns (id, tenant_id, session_pk, input_leaf_id, status, model, stream, request_id, instance_id, request_key, params)
    values (${turn.id}, ${turn.tenantId}, ${turn.sessionPk}, ${turn.inputLeafId}, 'in_flight', ${turn.model ?? null}, ${turn.stream},
            ${turn.requestId}, ${turn.instanceId}, ${turn.requestKey ?? null}, ${json(turn.params)})`;
  if (nodes.length === 0) {
    await db.execute(insertTurn);
    return;
  }
  const values = messageValues(sessionPk, nodes, "input", { status: "complete", turnId: null, meta: null });
  await db.execute(sql`with new_messages as (
      insert into messages ${MESSAGE_COLUMNS} values ${values} on conflict (id) do nothing returning 1
    ) ${insertTurn}`);
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
