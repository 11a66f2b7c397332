import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { sessions } from "./sessions.js";

/** How a turn ended. Every way is recorded, with its cause, in the transaction that writes the final snapshot. */
export type TurnEnding =
  | "completed"
  | "blocked"
  | "upstream_refusal"
  | "upstream_overloaded"
  | "upstream_error"
  | "quota_or_billing"
  | "request_rejected"
  | "length_limit"
  | "context_limit"
  | "connection_reset"
  | "client_disconnect"
  | "proxy_error"
  | "proxy_crash"
  | "shutdown";

/** One request/response exchange. `status` is in_flight until the ending is recorded. */
export const turns = pgTable(
  "turns",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    sessionPk: text("session_pk")
      .notNull()
      .references(() => sessions.pk),
    /** The last input message (the branch point the reply continues). */
    inputLeafId: text("input_leaf_id").notNull(),
    /** The assistant message materialised from the journal (complete or partial). */
    outputMessageId: text("output_message_id"),
    status: text("status", { enum: ["in_flight", "ended"] }).notNull(),
    cause: text("cause").$type<TurnEnding>(),
    stopReason: text("stop_reason"),
    model: text("model"),
    stream: boolean("stream").notNull(),
    /** Candor's request id and the upstream's, for support and explanations. */
    requestId: text("request_id").notNull(),
    upstreamRequestId: text("upstream_request_id"),
    /** The process that served it: crash recovery closes in-flight turns of dead instances. */
    instanceId: text("instance_id").notNull(),
    /** Dedupe key (Idempotency-Key header or request body hash). */
    requestKey: text("request_key"),
    /** Request parameters other than system/messages (model, max_tokens, tools…): what restore needs to resend. */
    params: jsonb("params").$type<Record<string, unknown>>(),
    usage: jsonb("usage").$type<Record<string, unknown>>(),
    error: jsonb("error").$type<{ type: string; status: number | null; message: string | null }>(),
    /** Characters of output text the client received, for explanations ("after 212 words"). */
    outputChars: integer("output_chars").notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [
    index("turns_session_idx").on(t.sessionPk, t.startedAt),
    // Only turns in flight: crash recovery's lookup stays as small as the work in progress, and ending a turn
    // writes no entry here (the index of every status grew by two entries a turn, forever).
    index("turns_in_flight_idx").on(t.instanceId).where(sql`${t.status} = 'in_flight'`),
    index("turns_request_key_idx").on(t.sessionPk, t.requestKey),
  ],
);
