/**
 * Opens the database: PostgreSQL through postgres.js when DATABASE_URL is set, embedded PGlite otherwise.
 * The same drizzle schema and repositories run on both.
 */
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { DataDirBusyError, lockDataDir } from "./data-dir-lock.js";
import { migratePgliteDb, migratePostgresUrl } from "./migrate.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
/** A database or a transaction: repositories accept either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** What the drivers' clients offer for a raw statement (postgres.js `Sql`/`TransactionSql`, PGlite or its transaction). */
type RawClient =
  | { kind: "postgres"; unsafe(q: string, params: unknown[], o: { prepare: boolean }): Promise<unknown[]> }
  | { kind: "pglite"; query(q: string, params: unknown[]): Promise<{ rows: unknown[] }> };

interface DriverSession {
  client?: { unsafe?: unknown; query?: unknown };
}

/**
 * The driver client behind a drizzle database or transaction, or null if drizzle's session no longer has the shape
 * this relies on (`session.client`; pinned drizzle version, checked by test/unit/db.test.ts).
 */
export function rawClientOf(db: Db): RawClient | null {
  const client = (db._.session as unknown as DriverSession).client;
  if (!client) return null;
  if (typeof client.unsafe === "function") {
    const unsafe = client.unsafe as (q: string, p: unknown[], o: { prepare: boolean }) => Promise<unknown[]>;
    return { kind: "postgres", unsafe: unsafe.bind(client) };
  }
  if (typeof client.query === "function") {
    const query = client.query as (q: string, p: unknown[]) => Promise<{ rows: unknown[] }>;
    return { kind: "pglite", query: query.bind(client) };
  }
  return null;
}

/**
 * A statement whose text never changes, written with named parameters (`:name`, numbered `$1…` once here). The hot
 * path's statements are these: the text is ready before the request (no query building per call) and the same
 * for every call, so postgres.js prepares it once per connection. Values that vary in number travel as arrays.
 */
export interface Statement<P extends string> {
  readonly text: string;
  /** Parameter names in `$n` order. */
  readonly names: readonly P[];
}

/**
 * A quoted literal (left as it is), or `:name` not preceded by a colon (so `::jsonb` casts are left alone):
 * lowercase letters, digits and underscores.
 */
const LITERAL_OR_PARAM = /'(?:[^']|'')*'|(?<!:):([a-z][a-z0-9_]*)/g;

export function statement<P extends string>(text: string): Statement<P> {
  // `$` would be a numbered parameter, or dollar quoting the literal skipping above does not know.
  if (text.includes("$")) throw new Error("a statement text names its parameters :like_this and has no `$`");
  const names: P[] = [];
  const numbered = text.replace(LITERAL_OR_PARAM, (match, name: P | undefined) => {
    if (name === undefined) return match;
    const at = names.indexOf(name);
    if (at >= 0) return `$${at + 1}`;
    names.push(name);
    return `$${names.length}`;
  });
  return { text: numbered, names };
}

/**
 * Runs a statement on the database or transaction `db` and returns its rows: on the driver itself, not through
 * `db.execute`, because drizzle runs raw statements unprepared (postgres.js then spends a round trip describing the
 * parameters before every execution, and PGlite copies its parser table for each query; here PGlite uses its
 * defaults: timestamps as Date, json parsed). Every parameter must be given, and only those; SQL NULL is `null`.
 */
export async function runStatement<T, P extends string = string>(
  db: Db,
  st: Statement<P>,
  params: Record<P, unknown>,
): Promise<T[]> {
  const values = st.names.map((name) => {
    const v = params[name];
    if (v === undefined) throw new Error(`statement parameter :${name} is missing`);
    return v;
  });
  // Every name is given, so a key beyond them is one the text does not name: a misspelling whose value would
  // silently go nowhere. Counting first keeps the search off the hot path.
  const keys = Object.keys(params);
  if (keys.length > st.names.length) {
    const extra = keys.find((k) => !st.names.includes(k as P));
    throw new Error(`statement has no parameter :${extra}`);
  }
  const raw = rawClientOf(db);
  if (raw?.kind === "postgres") return (await raw.unsafe(st.text, values, { prepare: true })) as T[];
  if (raw?.kind === "pglite") return (await raw.query(st.text, values)).rows as T[];
  const result: unknown = await db.execute(asDrizzleSql(st.text, values));
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/** The same statement as a drizzle `SQL` (the fallback when the driver cannot be reached; exported for its test). */
export function asDrizzleSql(text: string, values: unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, i) => {
    chunks.push(i % 2 === 0 ? sql.raw(part) : sql`${sql.param(values[Number(part) - 1])}`);
  });
  return sql.join(chunks);
}

export interface Store {
  db: Db;
  kind: "postgres" | "pglite";
  /** Human description for startup logs (never contains a password). */
  describe: string;
  /** Checks the database answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory; "memory://" for an in-memory database (tests). */
  dataDir: string;
  /** Apply migrations (default true). */
  migrate?: boolean;
  /** postgres.js pool size (default 10). */
  poolSize?: number;
}

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

async function openPostgres(url: string, poolSize: number, migrate: boolean): Promise<Store> {
  if (migrate) await migratePostgresUrl(url);
  const sql = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    connect_timeout: 10,
    // The hot statements are prepared (runStatement). After five runs PostgreSQL may switch a prepared statement to
    // a generic plan, blind to the array sizes and values its lookups depend on; planning each run is cheap for
    // these statements and kept the latency down in the bench (docs/performance.md).
    connection: { plan_cache_mode: "force_custom_plan" },
  });
  const db = drizzlePostgres(sql, { schema }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    describe: `PostgreSQL ${redactUrl(url)}`,
    ping: async () => {
      await sql`select 1`;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * PGlite's buffer cache lives in its WASM memory, which only grows: at PostgreSQL's default 128 MB of shared
 * buffers an embedded Candor's RSS reached ~420 MB under the bench; with 32 MB, ~330 MB at the same speed
 * (docs/performance.md).
 */
const PGLITE_OPTIONS = { postgresqlconf: "shared_buffers = 32MB" };

async function openPglite(dataDir: string, migrate: boolean): Promise<Store> {
  const inMemory = dataDir === "memory://";
  const release = inMemory ? () => {} : lockDataDir(dataDir);
  try {
    const client = inMemory
      ? new PGlite(PGLITE_OPTIONS)
      : new PGlite(join(dataDir, "pgdata"), PGLITE_OPTIONS);
    await client.waitReady;
    const pglite = drizzlePglite(client, { schema });
    if (migrate) await migratePgliteDb(pglite as unknown as PgliteDatabase);
    const db = pglite as unknown as Db;
    return {
      db,
      kind: "pglite",
      describe: inMemory ? "PGlite (in memory)" : `PGlite (embedded) in ${dataDir}`,
      ping: async () => {
        await client.query("select 1");
      },
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Open (and by default migrate) the store described by the options. Fails fast, naming the database. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const migrate = opts.migrate !== false;
  const where = opts.databaseUrl
    ? `PostgreSQL at ${redactUrl(opts.databaseUrl)}`
    : `PGlite in ${opts.dataDir}`;
  try {
    return opts.databaseUrl
      ? await openPostgres(opts.databaseUrl, opts.poolSize ?? 10, migrate)
      : await openPglite(opts.dataDir, migrate);
  } catch (err) {
    if (err instanceof DataDirBusyError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot open the database (${where}): ${reason}`, { cause: err });
  }
}
