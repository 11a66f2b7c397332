/** Tenants and their app keys. Keys are stored as SHA-256 hashes; the plain key exists only in the creator's hands. */
import { randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "./db.js";
import { newId, sha256Hex } from "./ids.js";
import { appKeys, type TenantSettings, tenants } from "./schema/index.js";

export interface Tenant {
  id: string;
  name: string;
  settings: TenantSettings;
}

export const KEY_PREFIX = "cnd_";

export function hashAppKey(key: string): string {
  return sha256Hex(key);
}

export async function findTenantByName(db: Db, name: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.name, name));
  return row && { id: row.id, name: row.name, settings: row.settings };
}

/** Returns the tenant named `name`, creating it if needed (safe under concurrent callers). */
export async function ensureTenant(db: Db, name: string): Promise<Tenant> {
  await db
    .insert(tenants)
    .values({ id: newId("ten"), name })
    .onConflictDoNothing({ target: tenants.name });
  const tenant = await findTenantByName(db, name);
  if (!tenant) throw new Error(`tenant ${name} vanished after insert`);
  return tenant;
}

export async function updateTenantSettings(
  db: Db,
  tenantId: string,
  settings: TenantSettings,
): Promise<void> {
  await db.update(tenants).set({ settings }).where(eq(tenants.id, tenantId));
}

/** Creates a key for the tenant and returns the plain key (shown once). */
export async function createAppKey(db: Db, tenantId: string): Promise<string> {
  const key = `${KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
  await db.insert(appKeys).values({
    id: newId("key"),
    tenantId,
    keyHash: hashAppKey(key),
    prefix: key.slice(0, KEY_PREFIX.length + 6),
  });
  return key;
}

export type AppKeyRow = Pick<typeof appKeys.$inferSelect, "id" | "prefix" | "createdAt" | "revokedAt">;

/** A tenant's keys, oldest first: ids and prefixes only (the keys themselves are never stored). */
export async function listAppKeys(db: Db, tenantId: string): Promise<AppKeyRow[]> {
  return db
    .select({
      id: appKeys.id,
      prefix: appKeys.prefix,
      createdAt: appKeys.createdAt,
      revokedAt: appKeys.revokedAt,
    })
    .from(appKeys)
    .where(eq(appKeys.tenantId, tenantId))
    .orderBy(appKeys.createdAt);
}

/**
 * Revokes a key given by its id (`key_…`) or by the key itself. Returns the revoked key's id, or null when no
 * live key matched (unknown, or already revoked).
 */
export async function revokeAppKey(db: Db, idOrKey: string): Promise<string | null> {
  const match = idOrKey.startsWith(KEY_PREFIX)
    ? eq(appKeys.keyHash, hashAppKey(idOrKey))
    : eq(appKeys.id, idOrKey);
  const [row] = await db
    .update(appKeys)
    .set({ revokedAt: new Date() })
    .where(and(match, isNull(appKeys.revokedAt)))
    .returning({ id: appKeys.id });
  return row?.id ?? null;
}

/** The tenant a (non-revoked) key belongs to. */
export async function findTenantByKey(db: Db, key: string): Promise<Tenant | undefined> {
  const [row] = await db
    .select({ id: tenants.id, name: tenants.name, settings: tenants.settings })
    .from(appKeys)
    .innerJoin(tenants, eq(appKeys.tenantId, tenants.id))
    .where(and(eq(appKeys.keyHash, hashAppKey(key)), isNull(appKeys.revokedAt)));
  return row;
}

export async function countTenants(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(tenants);
  return row?.n ?? 0;
}
