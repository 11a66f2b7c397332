import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { openStore, type Store } from "../store/db.js";
import { createAppKey, ensureTenant, findTenantByName, listAppKeys, revokeAppKey } from "../store/tenants.js";
import type { Io } from "./main.js";

const USAGE = `Usage: candor keys create --tenant NAME
       candor keys list --tenant NAME
       candor keys revoke KEY_ID_OR_KEY`;

/**
 * `candor keys create|list|revoke`. create migrates first (works on a fresh data directory or database), creates
 * the tenant if needed, and prints the key alone on stdout so scripts can capture it; list shows ids and
 * prefixes only (keys are stored hashed); revoke takes a key id from list, or the key itself.
 */
export async function runKeysCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "revoke") return revoke(rest, io);
  if (sub !== "create" && sub !== "list") {
    io.err(USAGE);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { tenant: { type: "string" } }, strict: true });
  const name = values.tenant?.trim();
  if (!name) {
    io.err(`candor keys ${sub}: --tenant NAME is required`);
    return 2;
  }
  return withStore(async (store) => {
    if (sub === "list") {
      const tenant = await findTenantByName(store.db, name);
      if (!tenant) {
        io.err(`candor keys list: no tenant named "${name}"`);
        return 1;
      }
      for (const k of await listAppKeys(store.db, tenant.id)) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active";
        io.out(`${k.id}\t${k.prefix}…\t${k.createdAt.toISOString()}\t${state}`);
      }
      return 0;
    }
    const tenant = await ensureTenant(store.db, name);
    const key = await createAppKey(store.db, tenant.id);
    io.out(key);
    io.err(`Created an app key for tenant "${name}" (${tenant.id}). It is shown only this once.`);
    return 0;
  });
}

async function revoke(args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  const target = positionals[0]?.trim();
  if (!target || positionals.length > 1) {
    io.err("Usage: candor keys revoke KEY_ID_OR_KEY (ids are shown by `candor keys list --tenant NAME`)");
    return 2;
  }
  return withStore(async (store) => {
    const id = await revokeAppKey(store.db, target);
    if (!id) {
      io.err("candor keys revoke: no active key matches (unknown, or already revoked)");
      return 1;
    }
    // Instances cache key lookups for 5 s (src/http/middleware/auth.ts).
    io.err(`Revoked ${id}. Running instances refuse it within 5 seconds.`);
    return 0;
  });
}

async function withStore(fn: (store: Store) => Promise<number>): Promise<number> {
  const config = loadConfig(process.env);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
