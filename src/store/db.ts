/**
 * Opens the database: PostgreSQL through postgres.js when DATABASE_URL is set, embedded PGlite otherwise.
 * The same drizzle schema and repositories run on both.
 */
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
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

type Dialect = { sqlToQuery(statement: SQL): { sql: string; params: unknown[] } };

interface DriverSession {
  client?: { unsafe?: unknown; query?: unknown };
  dialect?: Dialect;
}

/**
 * The driver client behind a drizzle database or transaction, or null if drizzle's session no longer has the shape
 * this relies on (`session.client`, `session.dialect`; pinned drizzle version, checked by test/unit/db.test.ts).
 */
export function rawClientOf(db: Db): { client: RawClient; toQuery: Dialect } | null {
  const session = db._.session as unknown as DriverSession;
  const client = session.client;
  if (!client || !session.dialect) return null;
  if (typeof client.unsafe === "function") {
    const unsafe = client.unsafe as (q: string, p: unknown[], o: { prepare: boolean }) => Promise<unknown[]>;
    return { client: { kind: "postgres", unsafe: unsafe.bind(client) }, toQuery: session.dialect };
  }
  if (typeof client.query === "function") {
    const query = client.query as (q: string, p: unknown[]) => Promise<{ rows: unknown[] }>;
    return { client: { kind: "pglite", query: query.bind(client) }, toQuery: session.dialect };
  }
  return null;
}

/**
 * Runs a raw statement on the database or transaction `db` and returns its rows. The hot path's statements go
 * through here, not through `db.execute`, because drizzle runs those unprepared: postgres.js then spends a round
 * trip describing the parameters before every execution, and PGlite copies its parser table for each query
 * (drizzle passes its own parsers). Here postgres.js prepares each statement text once per connection, and PGlite
 * uses its defaults (timestamps as Date, json parsed). Statements whose text varies without bound do not belong here.
 */
export async function executeRows<T>(db: Db, statement: SQL): Promise<T[]> {
  const raw = rawClientOf(db);
  if (!raw) {
    const result: unknown = await db.execute(statement);
    return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
  }
  const q = raw.toQuery.sqlToQuery(statement);
  if (raw.client.kind === "postgres")
    return (await raw.client.unsafe(q.sql, q.params, { prepare: true })) as T[];
  return (await raw.client.query(q.sql, q.params)).rows as T[];
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
    // The hot statements are prepared (executeRows). After five runs PostgreSQL may switch a prepared statement to
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
