/**
 * Group commit of the output journal. Every stream appends the frames it is about to forward; appends that arrive
 * while a commit is running wait for the next one, and each commit is one multi-row INSERT (one row per turn), so
 * 64 concurrent streams cost about as many commits as one.
 *
 * strict: `append` resolves after the commit — the relay forwards only then ("written before forwarded").
 * fast: `append` resolves at once; a timer commits at least every `flushMs` (the stated loss bound on a crash).
 */
import { asc, eq } from "drizzle-orm";
import { type Db, runStatement, statement } from "./db.js";
import { journal } from "./schema/index.js";

interface Pending {
  data: string[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

export interface JournalStats {
  commits: number;
  rows: number;
  lastBatchRows: number;
  lastCommitMs: number;
}

export interface JournalWriter {
  readonly mode: "strict" | "fast";
  append(turnId: string, data: string): Promise<void>;
  /** A sequence number for a journal row written elsewhere (inside a turn's final statement). */
  nextSeq(): number;
  /** Commits everything pending (used at the end of a turn and at shutdown). */
  flush(): Promise<void>;
  stats: JournalStats;
  close(): Promise<void>;
  /** Called after each commit with its row count and duration (metrics). */
  onCommit?: (rows: number, ms: number) => void;
}

// One statement text whatever the batch size (arrays, not a values list), so it is prepared once.
const INSERT_BATCH = statement(`insert into journal (turn_id, seq, data)
  select * from unnest(:turn_ids::text[], :seqs::int[], :data::text[])`);

export function createJournalWriter(
  db: Db,
  opts: { mode: "strict" | "fast"; flushMs: number },
): JournalWriter {
  let pending = new Map<string, Pending>();
  // One counter for the process: a turn is written by one process only, so (turn_id, seq) stays unique and
  // ordered without per-turn state to clean up.
  let seq = 0;
  let running: Promise<void> | null = null;
  const stats: JournalStats = { commits: 0, rows: 0, lastBatchRows: 0, lastCommitMs: 0 };
  const timer = opts.mode === "fast" ? setInterval(() => void kick(), opts.flushMs) : null;
  timer?.unref();

  async function commit(batch: Map<string, Pending>): Promise<void> {
    const rows = [...batch.entries()].map(([turnId, p]) => ({ turnId, seq: seq++, data: p.data.join("") }));
    const started = performance.now();
    try {
      await runStatement(db, INSERT_BATCH, {
        turn_ids: rows.map((r) => r.turnId),
        seqs: rows.map((r) => r.seq),
        data: rows.map((r) => r.data),
      });
    } catch (err) {
      for (const p of batch.values()) for (const w of p.waiters) w.reject(err);
      return;
    }
    const ms = performance.now() - started;
    stats.commits++;
    stats.rows += rows.length;
    stats.lastBatchRows = rows.length;
    stats.lastCommitMs = ms;
    writer.onCommit?.(rows.length, ms);
    for (const p of batch.values()) for (const w of p.waiters) w.resolve();
  }

  /** Starts a commit loop if none runs; the loop drains whatever accumulated during the previous commit. */
  function kick(): Promise<void> {
    if (running) return running;
    if (pending.size === 0) return Promise.resolve();
    running = (async () => {
      while (pending.size > 0) {
        const batch = pending;
        pending = new Map();
        await commit(batch);
      }
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const writer: JournalWriter = {
    mode: opts.mode,
    stats,
    append(turnId, data) {
      let p = pending.get(turnId);
      if (!p) {
        p = { data: [], waiters: [] };
        pending.set(turnId, p);
      }
      p.data.push(data);
      if (opts.mode === "fast") return Promise.resolve();
      const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
      void kick();
      return done;
    },
    nextSeq: () => seq++,
    async flush() {
      while (running || pending.size > 0) await kick();
    },
    async close() {
      if (timer) clearInterval(timer);
      await writer.flush();
    },
  };
  return writer;
}

/** The journal of a turn as one text (SSE frames, or a JSON body for non-streaming turns). */
export async function readJournal(db: Db, turnId: string): Promise<string> {
  const rows = await db.select().from(journal).where(eq(journal.turnId, turnId)).orderBy(asc(journal.seq));
  return rows.map((r) => r.data).join("");
}
