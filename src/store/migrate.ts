/** Applies the committed drizzle-kit migrations in `migrations/`. Safe to run from several instances at once. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

/** Finds migrations/ from both src/store (tsx) and dist/src/store (compiled). */
function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "migrations", "meta", "_journal.json"))) return join(dir, "migrations");
    dir = dirname(dir);
  }
  throw new Error("migrations/ folder not found next to the Candor package");
}

// Any constant: serialises migrations across instances starting together.
const MIGRATION_LOCK = 7_220_441;

/** PostgreSQL: one dedicated connection, so the advisory lock and the migration share a session. */
export async function migratePostgresUrl(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle(client);
  try {
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
    await migratePostgres(db, { migrationsFolder: migrationsFolder() });
  } finally {
    await client.end({ timeout: 5 });
  }
}

export async function migratePgliteDb(db: PgliteDatabase): Promise<void> {
  await migratePglite(db, { migrationsFolder: migrationsFolder() });
}
