import { loadConfig } from "../config.js";
import { openStore } from "../store/db.js";
import type { Io } from "./main.js";

/** `candor migrate`: applies migrations to DATABASE_URL or the embedded data directory. */
export async function runMigrateCommand(_args: string[], io: Io): Promise<number> {
  const config = loadConfig(process.env);
  io.err(`Applying migrations to ${config.databaseUrl ? "PostgreSQL" : `PGlite in ${config.dataDir}`}…`);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await store.close();
  io.err(`Migrations applied (${store.describe}).`);
  return 0;
}
