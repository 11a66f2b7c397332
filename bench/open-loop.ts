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
  sent: number;
  ok: number;
  errors: number;
  firstError: string | null;
  /** ms from scheduled send to the end of the response. */
  latency: Summary;
  /** How late the generator itself sent (ms): large values mean the client, not the server, fell behind. */
  sendLag: Summary;
  achievedRate: number;
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = keepAliveAgent(opts.maxSockets ?? 512);
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const t0 = performance.now() + 20;
  const latencies: number[] = [];
  const lags: number[] = [];
  const pending: Array<Promise<void>> = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        const scheduled = t0 + next * interval;
        lags.push(now - scheduled);
        next++;
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
            if (r.error) {
              errors++;
              firstError ??= r.error;
            } else {
              ok++;
              latencies.push(r.totalMs);
            }
          }),
        );
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    tick();
  });
  const lastDue = t0 + (total - 1) * interval;
  await Promise.all(pending);
  agent.destroy();
  return {
    rate: opts.rate,
    sent: total,
    ok,
    errors,
    firstError,
    latency: summarize(latencies),
    sendLag: summarize(lags),
    achievedRate: ok / ((lastDue - t0) / 1000 || 1),
  };
}
