import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Live Candor processes. Each heartbeats; crash recovery closes the in-flight turns of instances that stopped
 * heartbeating (or whose pid is dead on this host), so several instances can share one database safely.
 */
export const instances = pgTable("instances", {
  id: text("id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  stoppedAt: timestamp("stopped_at", { withTimezone: true }),
});
