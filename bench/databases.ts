/**
 * The two backends Candor is measured on: a fresh PostgreSQL database (created and dropped by the bench) and
 * an embedded PGlite in a temporary directory. After Candor stops, the bench reads what it stored.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";

export type BackendKind = "postgres" | "pglite";

/** Runs read-only SQL and returns rows; `close` releases the connection. */
export interface Querier {
  query(text: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface Backend {
  kind: BackendKind;
  label: string;
  /** Environment that points Candor at it. */
  env: Record<string, string>;
  /** Opens a reader (PGlite: only once Candor has released the directory). */
  open(): Promise<Querier>;
  /** Drops the database / removes the directory. */
  dispose(): Promise<void>;
}

export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

function withDatabase(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createPostgresBackend(adminUrl: string): Promise<Backend> {
  const name = `candor_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = withDatabase(adminUrl, name);
  return {
    kind: "postgres",
    label: `PostgreSQL (database ${name})`,
    env: { DATABASE_URL: url },
    async open() {
      const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      return {
        query: async (text) => (await sql.unsafe(text)) as unknown as Array<Record<string, unknown>>,
        close: () => sql.end({ timeout: 5 }),
      };
    },
    async dispose() {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}

export function createPgliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "candor-bench-"));
  return {
    kind: "pglite",
    label: `PGlite (${dir})`,
    env: { CANDOR_DATA_DIR: dir },
    async open() {
      const data = join(dir, "pgdata");
      // A killed Candor leaves this behind and the next open would hang (see DESIGN.md, pitfalls).
      const stale = join(data, "postmaster.pid");
      if (existsSync(stale)) rmSync(stale);
      const db = new PGlite(data);
      await db.waitReady;
      return {
        query: async (text) => (await db.query<Record<string, unknown>>(text)).rows,
        close: () => db.close(),
      };
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const TABLES = ["turns", "journal", "messages", "interventions", "sessions"] as const;
export type TableCounts = Record<(typeof TABLES)[number], number>;

/** Row counts of the tables a turn writes to, over the whole database. */
export async function countRows(q: Querier): Promise<TableCounts & { databaseBytes: number }> {
  const cols = TABLES.map((t) => `(select count(*) from ${t})::int as ${t}`).join(", ");
  const [row] = await q.query(`select ${cols}, pg_database_size(current_database())::bigint as bytes`);
  const out = Object.fromEntries(TABLES.map((t) => [t, Number(row?.[t] ?? 0)])) as TableCounts;
  return { ...out, databaseBytes: Number(row?.bytes ?? 0) };
}

export interface GroupStorage {
  sessions: number;
  turns: number;
  rows: Record<"messages" | "turns" | "journal" | "interventions", number>;
  /** Bytes of the rows themselves (pg_column_size of each row), without indexes. */
  bytes: Record<"messages" | "turns" | "journal" | "interventions" | "sessions", number>;
}

/** Rows and bytes stored for the sessions whose external id starts with `prefix` (letters, digits, - only). */
export async function groupStorage(q: Querier, prefix: string): Promise<GroupStorage> {
  if (!/^[\w-]+$/.test(prefix)) throw new Error(`bad prefix ${prefix}`);
  const s = `(select pk from sessions where external_id like '${prefix}%')`;
  const t = `(select id from turns where session_pk in ${s})`;
  const size = (table: string, where: string) =>
    `(select coalesce(sum(pg_column_size(x.*)), 0)::bigint from ${table} x where ${where})`;
  const count = (table: string, where: string) => `(select count(*)::int from ${table} where ${where})`;
  const [r] = await q.query(`select
    ${count("sessions", `pk in ${s}`)} as sessions,
    ${count("turns", `session_pk in ${s}`)} as turns,
    ${count("messages", `session_pk in ${s}`)} as messages,
    ${count("journal", `turn_id in ${t}`)} as journal,
    ${count("interventions", `session_pk in ${s}`)} as interventions,
    ${size("messages", `session_pk in ${s}`)} as b_messages,
    ${size("turns", `session_pk in ${s}`)} as b_turns,
    ${size("journal", `turn_id in ${t}`)} as b_journal,
    ${size("interventions", `session_pk in ${s}`)} as b_interventions,
    ${size("sessions", `pk in ${s}`)} as b_sessions`);
  const n = (k: string) => Number(r?.[k] ?? 0);
  return {
    sessions: n("sessions"),
    turns: n("turns"),
    rows: {
      messages: n("messages"),
      turns: n("turns"),
      journal: n("journal"),
      interventions: n("interventions"),
    },
    bytes: {
      messages: n("b_messages"),
      turns: n("b_turns"),
      journal: n("b_journal"),
      interventions: n("b_interventions"),
      sessions: n("b_sessions"),
    },
  };
}
