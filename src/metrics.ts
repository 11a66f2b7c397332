/**
 * Prometheus metrics (prom-client), one registry per app so tests can run several side by side.
 * "Added latency" is Candor's own time: everything before the upstream call starts, plus what a non-streaming
 * response costs after the upstream answered.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "candor_process_" });
  return {
    registry,
    requests: new Counter({
      name: "candor_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    addedLatency: new Histogram({
      name: "candor_added_latency_seconds",
      help: "Time Candor adds to a model call, excluding the upstream's own time",
      labelNames: ["stream"] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    upstreamLatency: new Histogram({
      name: "candor_upstream_latency_seconds",
      help: "Time from sending upstream to its response headers",
      labelNames: ["status"] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    ttfb: new Histogram({
      name: "candor_ttfb_seconds",
      help: "Time from the request arriving to the response headers leaving Candor",
      labelNames: ["stream"] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    interventions: new Counter({
      name: "candor_interventions_total",
      help: "Interventions recorded, by cause, rule and action",
      labelNames: ["cause", "rule", "action"] as const,
      registers: [registry],
    }),
    turnOpens: new Counter({
      name: "candor_turn_opens_total",
      help: "Turns opened, by path: plain (one statement, session included), resolved (chain lookup first), recorded (a transaction with intervention records)",
      labelNames: ["path"] as const,
      registers: [registry],
    }),
    turns: new Counter({
      name: "candor_turns_total",
      help: "Turns ended, by how they ended",
      labelNames: ["ending"] as const,
      registers: [registry],
    }),
    journalBatchRows: new Histogram({
      name: "candor_journal_batch_rows",
      help: "Rows per journal group commit",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    journalCommit: new Histogram({
      name: "candor_journal_commit_seconds",
      help: "Duration of a journal group commit",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inFlightStreams: new Gauge({
      name: "candor_inflight_streams",
      help: "Streams being relayed now",
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "candor_rate_limited_total",
      help: "Requests refused by a per-tenant limit",
      labelNames: ["limit"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
