/** Instance registration and heartbeats, so crash recovery can tell a dead instance's turns from a live one's. */
import { hostname } from "node:os";
import { eq } from "drizzle-orm";
import type { Db } from "./db.js";
import { instances } from "./schema/index.js";

export const HEARTBEAT_MS = 5_000;
/** An instance silent this long is presumed dead and its in-flight turns are recovered. */
export const PRESUMED_DEAD_MS = 30_000;

export async function registerInstance(db: Db, id: string): Promise<void> {
  await db.insert(instances).values({ id, host: hostname(), pid: process.pid });
}

export async function heartbeat(db: Db, id: string): Promise<void> {
  await db.update(instances).set({ lastSeenAt: new Date() }).where(eq(instances.id, id));
}

export async function markStopped(db: Db, id: string): Promise<void> {
  await db.update(instances).set({ stoppedAt: new Date() }).where(eq(instances.id, id));
}

export type InstanceRow = typeof instances.$inferSelect;

export async function allInstances(db: Db): Promise<InstanceRow[]> {
  return db.select().from(instances);
}

/** Dead: stopped, silent too long, or a pid on this host that no longer runs. */
export function isDead(row: InstanceRow, now: number): boolean {
  if (row.stoppedAt) return true;
  if (now - row.lastSeenAt.getTime() > PRESUMED_DEAD_MS) return true;
  if (row.host === hostname() && row.pid !== process.pid) {
    try {
      process.kill(row.pid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
  return false;
}
