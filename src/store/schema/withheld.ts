import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Original model output that a policy redacted or blocked: kept for audit and appeal, shown to moderators only,
 * never restorable by the end user (the snapshot holds what the user was shown).
 */
export const withheldContent = pgTable(
  "withheld_content",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    sessionPk: text("session_pk").notNull(),
    turnId: text("turn_id").notNull(),
    messageId: text("message_id"),
    blocks: jsonb("blocks").$type<Array<{ index: number; kind: string; original: string }>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    erasedAt: timestamp("erased_at", { withTimezone: true }),
  },
  (t) => [index("withheld_turn_idx").on(t.turnId)],
);
