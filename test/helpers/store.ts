/**
 * A fresh, migrated database per test file: its own PostgreSQL database when DATABASE_URL is set (the suite's
 * PostgreSQL run), else an in-memory PGlite (the embedded run). Nothing is shared between files.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openStore, type Store } from "../../src/store/db.js";

export interface TestStore {
  store: Store;
  /** A URL of the test database (PostgreSQL only), for starting other processes against it. */
  databaseUrl: string | undefined;
  backend: "postgres" | "pglite";
  close(): Promise<void>;
}

export function testBackend(): "postgres" | "pglite" {
  return process.env.DATABASE_URL ? "postgres" : "pglite";
}

/** Creates an empty PostgreSQL database and returns its URL plus a drop function. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error("DATABASE_URL is not set");
  const name = `candor_t_${randomBytes(6).toString("hex")}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
    },
  };
}

export async function createTestStore(): Promise<TestStore> {
  if (!process.env.DATABASE_URL) {
    const store = await openStore({ dataDir: "memory://" });
    return { store, databaseUrl: undefined, backend: "pglite", close: () => store.close() };
  }
  const dbase = await createPostgresDatabase();
  const store = await openStore({ databaseUrl: dbase.url, dataDir: "unused", poolSize: 5 });
  return {
    store,
    databaseUrl: dbase.url,
    backend: "postgres",
    async close() {
      await store.close();
      await dbase.drop();
    },
  };
}
