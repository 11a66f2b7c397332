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

/** Starts request i at t0 + i / rate; stops early when more than `rate × maxBacklogS` are unanswered. */
export async function runOpenLoop(opts: OpenLoopOptions & { maxBacklogS?: number }): Promise<OpenLoopResult> {
  const agent = keepAliveAgent(opts.maxSockets ?? 512);
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const maxOutstanding = Math.max(16, Math.round(opts.rate * (opts.maxBacklogS ?? 1)));
  const t0 = performance.now() + 20;
  const latencies: number[] = [];
  const lags: number[] = [];
  const pending: Array<Promise<void>> = [];
  const st = { ok: 0, errors: 0, firstError: null as string | null, next: 0, done: 0 };
  let overloaded: OpenLoopResult["overloaded"] = null;

  const send = (scheduled: number) => {
    const p = postMessages({
      target: opts.target,
      body: opts.body(),
      agent,
      startedAt: scheduled,
      timeoutMs: opts.timeoutMs,
      extraHeaders: sessionHeaders(opts.sessionPrefix),
    });
    pending.push(
      p.then((r) => {
        st.done++;
        if (r.error) {
          st.errors++;
          st.firstError ??= r.error;
        } else {
          st.ok++;
          latencies.push(r.totalMs);
        }
      }),
    );
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (st.next < total && t0 + st.next * interval <= now) {
        const outstanding = st.next - st.done;
        if (outstanding > maxOutstanding) {
          overloaded = { afterS: (now - t0) / 1000, outstanding, notSent: total - st.next };
          return resolve();
        }
        const scheduled = t0 + st.next * interval;
        lags.push(now - scheduled);
        st.next++;
        send(scheduled);
      }
      if (st.next >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + st.next * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  const elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return {
    rate: opts.rate,
    scheduled: total,
    sent: st.next,
    ok: st.ok,
    errors: st.errors,
    firstError: st.firstError,
    overloaded,
    latency: summarize(latencies),
    sendLag: summarize(lags),
    achievedRate: st.ok / elapsedS,
  };
}
