import { boolean, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { tenants } from "./tenants.js";

/**
 * A conversation. `externalId` is what clients see (the x-candor-session value): chosen by the app, or derived
 * from the conversation's start. `pk` is internal and scopes message ids, so equal content in two sessions or
 * tenants never shares a row.
 */
export const sessions = pgTable(
  "sessions",
  {
    pk: text("pk").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    externalId: text("external_id").notNull(),
    /** The end user (metadata.user_id or x-candor-user), when the app says. */
    endUser: text("end_user"),
    derived: boolean("derived").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Soft deletion: restorable until `restorableUntil`. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    restorableUntil: timestamp("restorable_until", { withTimezone: true }),
    erasedAt: timestamp("erased_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("sessions_tenant_external_idx").on(t.tenantId, t.externalId),
    index("sessions_tenant_user_idx").on(t.tenantId, t.endUser, t.updatedAt),
  ],
);
