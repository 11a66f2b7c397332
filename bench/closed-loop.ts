/**
 * Closed-loop throughput with autocannon: N connections, each sending its next request as soon as the previous
 * answer arrived. Measures capacity (req/s) and latency at saturation, not latency at a given load.
 */
import autocannon from "autocannon";
import { sessionHeaders } from "./bodies.js";
import type { Target } from "./http-client.js";

export interface ClosedLoopResult {
  connections: number;
  durationS: number;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p99: number; p999: number; mean: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export async function runClosedLoop(opts: {
  target: Target;
  body: () => string;
  connections: number;
  durationS: number;
  /** Each request gets its own session named with this prefix (rows per turn by scenario). */
  sessionPrefix?: string;
}): Promise<ClosedLoopResult> {
  const headers = { ...opts.target.headers, "content-type": "application/json" };
  const result = await autocannon({
    url: opts.target.url,
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: "/v1/messages",
        headers,
        // A fresh body each time: identical bodies would be one session and de-duplicated, unlike real traffic.
        setupRequest: (req) => ({
          ...req,
          headers: { ...headers, ...sessionHeaders(opts.sessionPrefix) },
          body: opts.body(),
        }),
      },
    ],
  });
  const ok = result["2xx"];
  return {
    connections: opts.connections,
    durationS: result.duration,
    requests: ok,
    reqPerSec: ok / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      p999: result.latency.p99_9,
      mean: result.latency.mean,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}
