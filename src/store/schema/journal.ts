import { integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The output journal: the SSE bytes of a turn exactly as forwarded to the client, in order.
 * One row holds every event of one turn that arrived within one group commit, so rows per turn stay small.
 */
export const journal = pgTable(
  "journal",
  {
    turnId: text("turn_id").notNull(),
    seq: integer("seq").notNull(),
    data: text("data").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.turnId, t.seq] })],
);
