import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Per-tenant behaviour an operator can change without a deploy. */
export interface TenantSettings {
  /** Policy id to apply (default: "default"). */
  policyId?: string;
  /** How an input block is answered: an assistant refusal message (default) or an Anthropic-shaped error. */
  blockResponse?: "message" | "error";
  /** Send the custom `candor.intervention` SSE event in streams (default true). */
  inbandEvents?: boolean;
  /** Requests per minute (unset: unlimited). */
  rateLimitPerMinute?: number;
  /** Concurrent streams (unset: unlimited). */
  maxConcurrentStreams?: number;
}

export const tenants = pgTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  settings: jsonb("settings").$type<TenantSettings>().notNull().default({}),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
