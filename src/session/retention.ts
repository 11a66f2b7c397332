/**
 * The retention job: soft-deleted content whose restorable period is over is purged, each purge recorded with
 * cause `retention_expiry`. Many instances may schedule it; a transaction-scoped advisory lock lets one run at a time.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../store/db.js";
import { eraseExpiredMessages, eraseSessionContent, expiredDeletions } from "../store/deletion.js";
import { sessions } from "../store/schema/index.js";
import type { InterventionRecorder } from "../transparency/recorder.js";

const RETENTION_LOCK = 7_220_443;
const BATCH = 100;

export interface RetentionResult {
  ran: boolean;
  sessionsErased: number;
  messagesErased: number;
}

export async function runRetention(
  db: Db,
  recorder: InterventionRecorder,
  opts: { now?: Date; retentionDays: number },
): Promise<RetentionResult> {
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const rows = await tx.execute<{ locked: boolean }>(
      sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as locked`,
    );
    const first = (Array.isArray(rows) ? rows[0] : (rows as { rows: Array<{ locked: boolean }> }).rows[0]) as
      | { locked: boolean }
      | undefined;
    if (!first?.locked) return { ran: false, sessionsErased: 0, messagesErased: 0 };
    let sessionsErased = 0;
    let messagesErased = 0;
    for (const d of await expiredDeletions(tx, now, BATCH)) {
      const [s] = await tx.select().from(sessions).where(eq(sessions.pk, d.pk));
      if (!s) continue;
      const whole = s.restorableUntil !== null && s.restorableUntil < now;
      const n = whole
        ? (await eraseSessionContent(tx, s.pk)).messages
        : await eraseExpiredMessages(tx, s.pk, now);
      if (whole) sessionsErased++;
      messagesErased += n;
      await recorder.record(tx, {
        tenantId: s.tenantId,
        session: s,
        drafts: [
          {
            cause: "retention_expiry",
            turnId: null,
            recoverable: { what: "none", until: null },
            facts: { scope: whole ? "session" : "messages", messages: n, retention_days: opts.retentionDays },
          },
        ],
      });
    }
    return { ran: true, sessionsErased, messagesErased };
  });
}
