/** Server secrets generated once and shared by every instance through the database. */
import { eq } from "drizzle-orm";
import type { Db } from "./db.js";
import { serverSecrets } from "./schema/index.js";

/** Returns the stored secret `name`, creating it with `generate()` on first use (first writer wins). */
export async function ensureSecret(db: Db, name: string, generate: () => string): Promise<string> {
  await db
    .insert(serverSecrets)
    .values({ name, value: generate() })
    .onConflictDoNothing({ target: serverSecrets.name });
  const [row] = await db.select().from(serverSecrets).where(eq(serverSecrets.name, name));
  if (!row) throw new Error(`secret ${name} vanished after insert`);
  return row.value;
}
