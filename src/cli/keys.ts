import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { openStore } from "../store/db.js";
import { createAppKey, ensureTenant } from "../store/tenants.js";
import type { Io } from "./main.js";

/**
 * `candor keys create --tenant NAME`: migrates first (works on a fresh data directory or database), creates the
 * tenant if needed, and prints the key alone on stdout so scripts can capture it.
 */
export async function runKeysCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "create") {
    io.err("Usage: candor keys create --tenant NAME");
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { tenant: { type: "string" } }, strict: true });
  const name = values.tenant?.trim();
  if (!name) {
    io.err("candor keys create: --tenant NAME is required");
    return 2;
  }
  const config = loadConfig(process.env);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const tenant = await ensureTenant(store.db, name);
    const key = await createAppKey(store.db, tenant.id);
    io.out(key);
    io.err(`Created an app key for tenant "${name}" (${tenant.id}). It is shown only this once.`);
    return 0;
  } finally {
    await store.close();
  }
}
