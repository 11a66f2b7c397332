/**
 * Open-loop load at a fixed rate: request i is due at t0 + i / rate whatever happened to the others, and its
 * latency counts from that scheduled time — so a stall shows up in the latency of every request it delayed
 * (no coordinated omission, unlike a closed loop or autocannon's overallRate).
 */
import { sessionHeaders } from "./bodies.js";
import { keepAliveAgent, postMessages, type Target } from "./http-client.js";
import { type Summary, summarize } from "./stats.js";

export interface OpenLoopOptions {
  target: Target;
  body: () => string;
  rate: number;
  durationMs: number;
  /** Per request; a request still unanswered then counts as an error. */
  timeoutMs: number;
  /** Sockets the agent may open (enough that a slow server never blocks the schedule). */
  maxSockets?: number;
  /** Each request gets its own session named with this prefix (rows per turn by scenario). */
  sessionPrefix?: string;
}

export interface OpenLoopResult {
  rate: number;
  /** Requests the schedule held (rate × duration). */
  scheduled: number;
  sent: number;
  ok: number;
  errors: number;
  firstError: string | null;
  /**
   * Set when the server fell more than `maxBacklogS` behind and the schedule was cut short: it cannot sustain
   * the rate, and a longer run would only queue work that spills into the next measurement.
   */
  overloaded: { afterS: number; outstanding: number; notSent: number } | null;
  /** ms from scheduled send to the end of the response (answered requests only). */
  latency: Summary;
  /** How late the generator itself sent (ms): large values mean the client, not the server, fell behind. */
  sendLag: Summary;
  /** Answered requests per second over the run. */
  achievedRate: number;
}

interface Tally {
  ok: number;
  errors: number;
  firstError: string | null;
  /** Requests sent so far (the next one's index). */
  next: number;
  /** Requests answered or failed. */
  done: number;
}

/**
 * Sends request i at t0 + i × interval until `total` are sent, or stops (returning where and how far behind)
 * once more than `maxOutstanding` are unanswered.
 */
function schedule(
  t: { t0: number; interval: number; total: number; maxOutstanding: number },
  st: Tally,
  send: (scheduled: number, now: number) => void,
): Promise<OpenLoopResult["overloaded"]> {
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (st.next < t.total && t.t0 + st.next * t.interval <= now) {
        const outstanding = st.next - st.done;
        if (outstanding > t.maxOutstanding) {
          return resolve({ afterS: (now - t.t0) / 1000, outstanding, notSent: t.total - st.next });
        }
        send(t.t0 + st.next * t.interval, now);
        st.next++;
      }
      if (st.next >= t.total) return resolve(null);
      setTimeout(tick, Math.max(0, t.t0 + st.next * t.interval - performance.now()));
    };
    tick();
  });
}

/** Starts request i at t0 + i / rate; stops early when more than `rate × maxBacklogS` are unanswered. */
export async function runOpenLoop(opts: OpenLoopOptions & { maxBacklogS?: number }): Promise<OpenLoopResult> {
  const agent = keepAliveAgent(opts.maxSockets ?? 512);
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const maxOutstanding = Math.max(16, Math.round(opts.rate * (opts.maxBacklogS ?? 1)));
  const t0 = performance.now() + 20;
  const latencies: number[] = [];
  const lags: number[] = [];
  const pending: Array<Promise<void>> = [];
  const st: Tally = { ok: 0, errors: 0, firstError: null, next: 0, done: 0 };
  const send = (scheduled: number, now: number) => {
    lags.push(now - scheduled);
    const call = postMessages({
      target: opts.target,
      body: opts.body(),
      agent,
      startedAt: scheduled,
      timeoutMs: opts.timeoutMs,
      extraHeaders: sessionHeaders(opts.sessionPrefix),
    });
    const counted = call.then((r) => {
      st.done++;
      if (!r.error) {
        st.ok++;
        latencies.push(r.totalMs);
        return;
      }
      st.errors++;
      st.firstError ??= r.error;
    });
    pending.push(counted);
  };
  const overloaded = await schedule({ t0, interval: 1000 / opts.rate, total, maxOutstanding }, st, send);
  await Promise.all(pending);
  const elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  const { ok, errors, firstError, next: sent } = st;
  return {
    rate: opts.rate,
    scheduled: total,
    sent,
    ok,
    errors,
    firstError,
    overloaded,
    latency: summarize(latencies),
    sendLag: summarize(lags),
    achievedRate: ok / elapsedS,
  };
}
