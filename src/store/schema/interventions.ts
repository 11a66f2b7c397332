import { bigint, customType, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { InterventionRecord } from "../../transparency/record.js";

// postgres.js hands back Buffer, PGlite Uint8Array: normalise to Buffer.
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => Buffer.from(v),
});

/**
 * Intervention records: every safety action and every loss, each a leaf of the append-only Merkle log.
 * `record` holds the exact record that was hashed into the leaf; changing a byte of it breaks its receipt.
 */
export const interventions = pgTable(
  "interventions",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    sessionPk: text("session_pk").notNull(),
    turnId: text("turn_id"),
    cause: text("cause").notNull(),
    record: jsonb("record").$type<InterventionRecord>().notNull(),
    leafIndex: bigint("leaf_index", { mode: "number" }).notNull().unique(),
    leafHash: bytea("leaf_hash").notNull(),
    /** Salt of the content commitment; deleted on erasure so the commitment can no longer be tested. */
    salt: bytea("salt"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("interventions_session_idx").on(t.sessionPk, t.createdAt),
    index("interventions_tenant_idx").on(t.tenantId, t.createdAt),
  ],
);

/** The log's head: its size and Merkle frontier (O(log n) hashes), so appends never read earlier leaves. */
export const logState = pgTable("log_state", {
  id: text("id").primaryKey(),
  size: bigint("size", { mode: "number" }).notNull(),
  frontier: jsonb("frontier").$type<string[]>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Signed checkpoints, one per appended batch: anyone can check the log only grew (consistency proofs). */
export const logCheckpoints = pgTable("log_checkpoints", {
  size: bigint("size", { mode: "number" }).primaryKey(),
  rootHash: text("root_hash").notNull(),
  checkpoint: jsonb("checkpoint").$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
