import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Appeals against our own decisions (DSA Art. 20 internal complaints). One appeal per intervention record: a
 * decided appeal uses up the internal route, so the unique index is what answers "already appealed".
 * The moderator's decision is itself a new intervention record (`decision_intervention_id`), so it lands in
 * the tamper-evident log; this table holds the workflow state and the free text, which the log must not.
 */
export const appeals = pgTable(
  "appeals",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    sessionPk: text("session_pk").notNull(),
    interventionId: text("intervention_id").notNull(),
    status: text("status", { enum: ["open", "decided"] }).notNull(),
    /** Who filed it: the end user (view token) or the app on the user's behalf (tenant key). */
    appellant: text("appellant", { enum: ["user", "tenant"] }).notNull(),
    /** The view token's user id, when the app named one. */
    userId: text("user_id"),
    /** The appellant's own words (≤ 4000 chars); cleared when the session is erased. */
    statement: text("statement"),
    decision: text("decision", { enum: ["upheld", "reversed"] }),
    /** The moderator's reason, shown to the user with the outcome. */
    reason: text("reason"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    /** The appeal_upheld / appeal_reversed record. */
    decisionInterventionId: text("decision_intervention_id"),
    /** The assistant message a reversal inserted with the original text, when there was text to restore. */
    restoredMessageId: text("restored_message_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("appeals_intervention_idx").on(t.interventionId),
    index("appeals_queue_idx").on(t.status, t.createdAt),
    index("appeals_session_idx").on(t.sessionPk),
  ],
);
