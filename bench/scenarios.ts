/**
 * The measurements, run the same way against every target (the mock directly, Candor, any --proxy): closed-loop
 * throughput, fixed-rate latency, paced and unpaced concurrent streams, streams at 1 and 64 concurrency, and 64
 * streams without think time (capacity).
 */
import { messagesBody } from "./bodies.js";
import { type ClosedLoopResult, runClosedLoop } from "./closed-loop.js";
import type { Target } from "./http-client.js";
import type { ReplyShape } from "./mock-upstream.js";
import { type OpenLoopResult, runOpenLoop } from "./open-loop.js";
import { cpuMsOf, memoryOf, sampleRss, waitIdle } from "./processes.js";
import { runStreamLoad, type StreamLoadResult } from "./stream-load.js";

/** How long each measurement runs (seconds) — `--quick` shortens them all. */
export interface Plan {
  closedS: number;
  openS: number;
  openRate: number;
  pacedS: number;
  unpacedS: number;
  concurrencyS: number;
  warmupS: number;
}

export const FULL_PLAN: Plan = {
  closedS: 8,
  openS: 10,
  openRate: 200,
  pacedS: 8,
  unpacedS: 5,
  concurrencyS: 5,
  warmupS: 3,
};
export const QUICK_PLAN: Plan = {
  closedS: 3,
  openS: 4,
  openRate: 200,
  pacedS: 3,
  unpacedS: 2,
  concurrencyS: 2,
  warmupS: 1,
};

export const SHAPES = {
  /** Non-streaming replies of 20 × 12 characters, answered at once. */
  json: { deltas: 20, delayMs: 0, firstMs: 0, chars: 12 },
  /** A paced stream: 20 ms to first token, then 20 deltas 10 ms apart (≈ 220 ms). */
  paced: { deltas: 20, delayMs: 10, firstMs: 20, chars: 12 },
  unpaced: { deltas: 20, delayMs: 0, firstMs: 0, chars: 12 },
  /**
   * For TTFB and per-delta lag at 1 and 64 streams: no model think time, so TTFB is pure overhead; short
   * (≈ 40 ms) so one stream at a time still gives ~100 samples.
   */
  lag: { deltas: 20, delayMs: 2, firstMs: 0, chars: 12 },
} satisfies Record<string, ReplyShape>;

/** How long a paced stream lasts (first token + deltas), the spread of the 64-stream test's starts. */
const PACED_STREAM_MS = SHAPES.paced.firstMs + SHAPES.paced.deltas * SHAPES.paced.delayMs;

/** Session-id prefixes by scenario: the stored rows of each scenario can be told apart afterwards. */
export const PREFIX = {
  json: "bench-json-",
  open: "bench-open-",
  paced: "bench-paced-",
  unpaced: "bench-unpaced-",
  paced64: "bench-paced64-",
} as const;

export interface TargetResult {
  closedLoop: ClosedLoopResult;
  openLoop: OpenLoopResult;
  pacedStreams: StreamLoadResult;
  unpacedStreams: StreamLoadResult;
  streams1: StreamLoadResult;
  /** 64 paced streams in flight at once, their starts staggered: TTFB and per-delta lag at 64 concurrent streams. */
  streams64: StreamLoadResult;
  /** 64 workers opening streams without think time (the lag shape): demand beyond one core, so this is capacity. */
  saturation64: StreamLoadResult;
  /** Processes the bench can see (/proc): peak RSS sampled every 50 ms from the first paced stream to the end of
   *  the 64-stream test (every streaming measurement), and VmHWM (peak since start) after. */
  memory?: {
    streamingPeakRssMb: number;
    hwmMb: number;
    rssAfterMb: number;
    /** From Candor's /metrics after the streaming tests: where the RSS is (V8 heap vs buffers outside it). */
    heap?: { heapTotalMb: number; heapUsedMb: number; externalMb: number };
  };
  /**
   * CPU the proxy process itself used per request or stream (ms, user + system), by scenario. Unlike
   * throughput, this barely moves when other work shares the machine.
   */
  cpuMsPerRequest?: Record<string, number>;
  /** The same for the PostgreSQL server (every `postgres` process; PostgreSQL backend only): its CPU is spent on
   *  the same two cores. */
  databaseCpuMsPerRequest?: Record<string, number>;
  /** How long the process took to go idle after each measurement (ms): a long wait means it was left a backlog. */
  drainedMs?: Record<string, number>;
}

type Log = (msg: string) => void;

/** Brings a target's code paths to a steady state (JIT, caches, connection pools) before anything is measured. */
export async function warmUp(target: Target, seconds: number): Promise<void> {
  const json = () => messagesBody(SHAPES.json, false);
  await runClosedLoop({ target, body: json, connections: 8, durationS: Math.max(1, seconds - 1) });
  await runStreamLoad({ target, shape: SHAPES.unpaced, concurrency: 8, durationMs: 1_000 });
}

/** V8 heap figures from a Candor /metrics page (prom-client default metrics); null when unavailable. */
async function heapFromMetrics(
  url: string,
): Promise<{ heapTotalMb: number; heapUsedMb: number; externalMb: number } | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    const mb = (name: string) =>
      Number(new RegExp(`^\\w*${name} ([\\d.e+]+)$`, "m").exec(text)?.[1] ?? "NaN") / 1048576;
    const heap = {
      heapTotalMb: mb("nodejs_heap_size_total_bytes"),
      heapUsedMb: mb("nodejs_heap_size_used_bytes"),
      externalMb: mb("nodejs_external_memory_bytes"),
    };
    return Number.isFinite(heap.heapTotalMb) ? heap : null;
  } catch {
    return null;
  }
}

/**
 * One measurement against a process we can see: its CPU per request is recorded, and afterwards the bench waits
 * for it to go idle so that a backlog never spills into the next measurement.
 */
function stepper(pid: number | undefined, log: Log, databaseCpuMs?: () => number) {
  const cpu: Record<string, number> = {};
  const databaseCpu: Record<string, number> = {};
  const drained: Record<string, number> = {};
  async function step<T>(
    name: string,
    label: string,
    fn: () => Promise<T>,
    count: (r: T) => number,
  ): Promise<T> {
    log(`${label}…`);
    const before = pid === undefined ? Number.NaN : cpuMsOf(pid);
    const dbBefore = databaseCpuMs?.() ?? Number.NaN;
    const r = await fn();
    if (pid === undefined) return r;
    cpu[name] = (cpuMsOf(pid) - before) / Math.max(1, count(r));
    if (databaseCpuMs) databaseCpu[name] = (databaseCpuMs() - dbBefore) / Math.max(1, count(r));
    const waited = await waitIdle(pid);
    drained[name] = waited;
    if (waited > 1_500) log(`  waited ${(waited / 1000).toFixed(1)} s for the backlog to drain`);
    return r;
  }
  return { step, cpu, databaseCpu, drained };
}

type Step = ReturnType<typeof stepper>["step"];

/** Closed-loop and open-loop non-streaming requests. */
async function measureRequests(target: Target, plan: Plan, step: Step) {
  const json = () => messagesBody(SHAPES.json, false);
  const closedLoop = await step(
    "closedLoop",
    `closed-loop 32 conns, ${plan.closedS}s`,
    () =>
      runClosedLoop({
        target,
        body: json,
        connections: 32,
        durationS: plan.closedS,
        sessionPrefix: PREFIX.json,
      }),
    (r) => r.requests,
  );
  const openLoop = await step(
    "openLoop",
    `open-loop ${plan.openRate} req/s, ${plan.openS}s`,
    () =>
      runOpenLoop({
        target,
        body: json,
        rate: plan.openRate,
        durationMs: plan.openS * 1000,
        timeoutMs: 10_000,
        sessionPrefix: PREFIX.open,
      }),
    (r) => r.ok,
  );
  return { closedLoop, openLoop };
}

/** Paced and unpaced streams at 32, then streams at 1 and 64 concurrency. */
async function measureStreams(target: Target, plan: Plan, step: Step) {
  const streamsOf = (r: StreamLoadResult) => r.streams;
  const load =
    (shape: ReplyShape, concurrency: number, seconds: number, sessionPrefix?: string, staggerMs?: number) =>
    () =>
      runStreamLoad({
        target,
        shape,
        concurrency,
        durationMs: seconds * 1000,
        ...(sessionPrefix ? { sessionPrefix } : {}),
        ...(staggerMs ? { staggerMs } : {}),
      });
  const paced = load(SHAPES.paced, 32, plan.pacedS, PREFIX.paced);
  const pacedStreams = await step(
    "pacedStreams",
    `32 paced streams (20 × 10 ms), ${plan.pacedS}s`,
    paced,
    streamsOf,
  );
  const unpaced = load(SHAPES.unpaced, 32, plan.unpacedS, PREFIX.unpaced);
  const unpacedStreams = await step(
    "unpacedStreams",
    `32 unpaced streams, ${plan.unpacedS}s`,
    unpaced,
    streamsOf,
  );
  const lag = (n: number) => load(SHAPES.lag, n, plan.concurrencyS);
  const streams1 = await step("streams1", `1 stream at a time, ${plan.concurrencyS}s`, lag(1), streamsOf);
  // Starts spread over one stream's length, so the 64 are in flight together without arriving as one burst.
  const streams64 = await step(
    "streams64",
    `64 concurrent paced streams, starts staggered, ${plan.pacedS}s`,
    load(SHAPES.paced, 64, plan.pacedS, PREFIX.paced64, PACED_STREAM_MS),
    streamsOf,
  );
  const saturation64 = await step(
    "saturation64",
    `64 streams without think time, ${plan.concurrencyS}s`,
    lag(64),
    streamsOf,
  );
  return { pacedStreams, unpacedStreams, streams1, streams64, saturation64 };
}

function logFailures(r: TargetResult, log: Log): void {
  const { closedLoop, openLoop, pacedStreams, unpacedStreams, streams1, streams64, saturation64 } = r;
  for (const [name, s] of Object.entries({
    pacedStreams,
    unpacedStreams,
    streams1,
    streams64,
    saturation64,
  })) {
    if (s.errors > 0) log(`  ${name}: ${s.errors} failed streams, first: ${s.firstError}`);
  }
  if (openLoop.errors > 0) log(`  open-loop: ${openLoop.errors} failed, first: ${openLoop.firstError}`);
  if (closedLoop.errors + closedLoop.non2xx > 0) {
    log(`  closed-loop: ${closedLoop.errors} errors, ${closedLoop.non2xx} non-2xx`);
  }
}

/** Every measurement against one target; with `pid` (a process we can see) also its CPU and memory. */
export async function measureTarget(
  target: Target,
  plan: Plan,
  log: Log,
  pid?: number,
  databaseCpuMs?: () => number,
): Promise<TargetResult> {
  const { step, cpu, databaseCpu, drained } = stepper(pid, log, databaseCpuMs);
  const requests = await measureRequests(target, plan, step);
  const rss = pid === undefined ? null : sampleRss(pid, 50);
  const streams = await measureStreams(target, plan, step);
  const result: TargetResult = { ...requests, ...streams };
  if (pid !== undefined && rss) {
    const streamingPeakRssMb = rss.stop();
    const after = memoryOf(pid);
    const heap = await heapFromMetrics(target.url);
    result.cpuMsPerRequest = cpu;
    if (databaseCpuMs) result.databaseCpuMsPerRequest = databaseCpu;
    result.drainedMs = drained;
    if (after) {
      result.memory = {
        streamingPeakRssMb,
        hwmMb: after.hwmMb,
        rssAfterMb: after.rssMb,
        ...(heap ? { heap } : {}),
      };
    }
  }
  logFailures(result, log);
  return result;
}
