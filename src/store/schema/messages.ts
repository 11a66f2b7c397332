import { index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sessions } from "./sessions.js";

/**
 * Messages as a content-addressed chain: id = H(session, parent, role, canonical(content)).
 * The chain's root is always a `system` node (content null when the request had no system prompt), so a changed
 * system prompt is a branch like any other edit. Apps resend the whole history every turn; each message is stored once.
 */
export const messages = pgTable(
  "messages",
  {
    id: text("id").primaryKey(),
    sessionPk: text("session_pk")
      .notNull()
      .references(() => sessions.pk),
    parentId: text("parent_id"),
    role: text("role", { enum: ["system", "user", "assistant"] }).notNull(),
    /** The content as sent/seen (string or blocks). Null after erasure. */
    content: jsonb("content"),
    /** SHA-256 of the canonical content: the tombstone that remains after erasure. */
    contentHash: text("content_hash").notNull(),
    depth: integer("depth").notNull(),
    /** input: sent by the client; output: produced by the model through Candor. */
    origin: text("origin", { enum: ["input", "output"] }).notNull(),
    /** complete, or partial (the turn ended before the model finished). */
    status: text("status", { enum: ["complete", "partial"] })
      .notNull()
      .default("complete"),
    /** Output messages: which blocks never finished streaming, and the stop reason. */
    meta: jsonb("meta").$type<{ incompleteBlocks?: number[]; stopReason?: string | null }>(),
    /** The turn that produced an output message. */
    turnId: text("turn_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    restorableUntil: timestamp("restorable_until", { withTimezone: true }),
    erasedAt: timestamp("erased_at", { withTimezone: true }),
  },
  (t) => [
    index("messages_session_idx").on(t.sessionPk, t.depth),
    index("messages_parent_idx").on(t.parentId),
  ],
);
