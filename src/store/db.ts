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

/**
 * Runs a raw statement and returns its rows on either driver (postgres.js answers an array, PGlite `{ rows }`).
 * Fixed-text statements run this way are prepared once per connection by postgres.js, unlike the query
 * builder's, which is why the hot path's statements are written as raw SQL.
 */
export async function executeRows<T>(db: Db, statement: SQL): Promise<T[]> {
  const result: unknown = await db.execute(statement);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
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
  const sql = postgres(url, { max: poolSize, onnotice: () => {}, connect_timeout: 10 });
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

async function openPglite(dataDir: string, migrate: boolean): Promise<Store> {
  const inMemory = dataDir === "memory://";
  const release = inMemory ? () => {} : lockDataDir(dataDir);
  try {
    const client = inMemory ? new PGlite() : new PGlite(join(dataDir, "pgdata"));
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
