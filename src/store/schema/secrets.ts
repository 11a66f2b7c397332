import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Server secrets generated on first run (view-token secret, log signing key), shared by every instance. */
export const serverSecrets = pgTable("server_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
