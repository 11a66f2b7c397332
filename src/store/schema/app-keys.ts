import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { tenants } from "./tenants.js";

/** Candor app keys. Only a SHA-256 of the key is stored; the key itself is shown once, at creation. */
export const appKeys = pgTable(
  "app_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    keyHash: text("key_hash").notNull().unique(),
    /** First characters of the key, so an operator can tell keys apart without the secret. */
    prefix: text("prefix").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("app_keys_tenant_idx").on(t.tenantId)],
);
