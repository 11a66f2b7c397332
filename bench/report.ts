/**
 * The printed report: one table per backend (scenario, direct, via Candor, ratio or added ms), what Candor
 * stored, the targets and the policy engine. Throughput compares as a ratio (candor / direct); latency as added
 * milliseconds (candor − direct).
 */
import type { GroupStorage, TableCounts } from "./databases.js";
import { added, f, formatTable, type Row, ratio } from "./format.js";
import type { TargetResult } from "./scenarios.js";
import { round } from "./stats.js";
import { checkTargets, formatTargets, type TargetCheck } from "./targets.js";

export interface StorageCheck {
  /** Row bytes per turn in 2-turn conversations (session and system root included). */
  perTurn2: number;
  perTurn20: number;
  /** Bytes each of turns 3..20 added: (bytes of a 20-turn conversation − a 2-turn one) / 18. */
  marginal: number;
  two: GroupStorage;
  twenty: GroupStorage;
}

export interface BackendResult {
  kind: "postgres" | "pglite";
  label: string;
  candorCommand: string;
  readyMs: number;
  /** Candor's RSS right after /readyz answered, before any load (MB). */
  rssAtReadyMb: number;
  candor: TargetResult;
  /** Whole-database row counts after the run, and per turn. */
  rows: { counts: TableCounts & { databaseBytes: number }; perTurn: Record<string, number> };
  /** Rows per turn by scenario (each request was its own named session). */
  rowsByScenario: Record<string, { turns: number; perTurn: Record<string, number> }>;
  storage: StorageCheck | null;
  notes: string[];
}

type Get = (r: TargetResult) => number;
type Spec = [label: string, get: Get, compare: "ratio" | "added"];

function specRows(d: TargetResult, c: TargetResult, specs: Spec[]): Row[] {
  return specs.map(([label, get, how]) => {
    const [dv, cv] = [get(d), get(c)];
    return [label, f(dv), f(cv), how === "ratio" ? ratio(cv, dv) : added(cv, dv)];
  });
}

function requestRows(d: TargetResult, c: TargetResult): Row[] {
  const rate = d.openLoop.rate;
  const failed = (r: TargetResult) => {
    const ov = r.openLoop.overloaded;
    return `${r.openLoop.errors}${ov ? ` + ${ov.notSent} unsent (overloaded at ${round(ov.afterS)} s)` : ""}`;
  };
  return [
    ...specRows(d, c, [
      ["closed-loop 32 conns (req/s)", (r) => r.closedLoop.reqPerSec, "ratio"],
      ["closed-loop latency p50 (ms)", (r) => r.closedLoop.latencyMs.p50, "added"],
      ["closed-loop latency p99 (ms)", (r) => r.closedLoop.latencyMs.p99, "added"],
      [`open-loop ${rate}/s latency p50 (ms)`, (r) => r.openLoop.latency.p50, "added"],
      [`open-loop ${rate}/s latency p99 (ms)`, (r) => r.openLoop.latency.p99, "added"],
      [`open-loop ${rate}/s p99.9 (ms)`, (r) => r.openLoop.latency.p999, "added"],
    ]),
    [`open-loop ${rate}/s failed`, failed(d), failed(c), ""],
    ...specRows(d, c, [[`open-loop ${rate}/s answered (req/s)`, (r) => r.openLoop.achievedRate, "ratio"]]),
  ];
}

function streamRows(d: TargetResult, c: TargetResult): Row[] {
  const specs: Spec[] = [
    ["32 paced streams TTFB p50 (ms)", (r) => r.pacedStreams.ttfb.p50, "added"],
    ["32 paced streams TTFB p99 (ms)", (r) => r.pacedStreams.ttfb.p99, "added"],
    ["32 paced streams first text p50 (ms)", (r) => r.pacedStreams.ttft.p50, "added"],
    ["32 paced streams total p50 (ms)", (r) => r.pacedStreams.total.p50, "ratio"],
    ["32 paced streams total p99 (ms)", (r) => r.pacedStreams.total.p99, "ratio"],
    ["32 paced streams (streams/s)", (r) => r.pacedStreams.streamsPerSec, "ratio"],
    ["32 unpaced streams (streams/s)", (r) => r.unpacedStreams.streamsPerSec, "ratio"],
  ];
  for (const [label, key] of [
    ["1 stream", "streams1"],
    ["64 paced streams", "streams64"],
    ["64 streams at capacity", "saturation64"],
  ] as const) {
    if (!d[key] || !c[key]) continue; // runs saved before session 3 have no saturation64 (ADR 0005)
    specs.push(
      [`${label} TTFB p50 (ms)`, (r) => r[key].ttfb.p50, "added"],
      [`${label} TTFB p99 (ms)`, (r) => r[key].ttfb.p99, "added"],
      [`${label} per-delta lag p50 (ms)`, (r) => r[key].deltaLag.p50, "added"],
      [`${label} per-delta lag p99 (ms)`, (r) => r[key].deltaLag.p99, "added"],
      [`${label} (streams/s)`, (r) => r[key].streamsPerSec, "ratio"],
    );
  }
  return specRows(d, c, specs);
}

/** The proxy process's own CPU and memory (no direct column); `who` names the proxy. */
function processRows(c: TargetResult, who: string): Row[] {
  const rows: Row[] = [];
  const unit = (name: string) => (/streams|saturation/i.test(name) ? "stream" : "request");
  for (const [name, ms] of Object.entries(c.cpuMsPerRequest ?? {}))
    rows.push([`${who} CPU per ${unit(name)}: ${name} (ms)`, "", f(ms), ""]);
  for (const [name, ms] of Object.entries(c.databaseCpuMsPerRequest ?? {}))
    rows.push([`PostgreSQL CPU per ${unit(name)}: ${name} (ms)`, "", f(ms), ""]);
  const m = c.memory;
  if (m)
    rows.push([`${who} peak RSS while streaming (MB)`, "", f(m.streamingPeakRssMb), `VmHWM ${f(m.hwmMb)}`]);
  if (m?.heap) {
    const v = `heap ${f(m.heap.heapUsedMb)} used of ${f(m.heap.heapTotalMb)}, external ${f(m.heap.externalMb)}`;
    rows.push([`${who} V8 memory after streaming (MB)`, "", v, ""]);
  }
  return rows;
}

/** Table rows comparing the mock directly with one set of results through a proxy. */
export function comparisonRows(d: TargetResult, c: TargetResult, who = "Candor"): Row[] {
  return [...requestRows(d, c), ...streamRows(d, c), ...processRows(c, who)];
}

/** Rows about what Candor stored (no direct column). */
export function storageRows(b: BackendResult): Row[] {
  const rows: Row[] = [["Candor RSS when ready, before load (MB)", "", f(b.rssAtReadyMb), ""]];
  for (const [scenario, s] of Object.entries(b.rowsByScenario)) {
    const per = Object.entries(s.perTurn)
      .map(([t, n]) => `${t} ${round(n)}`)
      .join(", ");
    rows.push([`rows per turn: ${scenario} (${s.turns} turns)`, "", per, ""]);
  }
  const st = b.storage;
  if (st) {
    rows.push(["row bytes per turn, 2-turn conversations", "", f(st.perTurn2), ""]);
    rows.push(["row bytes per turn, 20-turn conversations", "", f(st.perTurn20), ""]);
    rows.push([
      "row bytes added by each of turns 3..20",
      "",
      f(st.marginal),
      ratio(st.marginal, st.perTurn2),
    ]);
  }
  return rows;
}

/** Policy engine figures (bench/policy-engine.ts), one per line when they are plain numbers. */
function formatPolicyEngine(figures: unknown): string {
  if (figures && typeof figures === "object" && Object.values(figures).every((v) => typeof v === "number")) {
    return Object.entries(figures as Record<string, number>)
      .map(([k, v]) => `  ${k}: ${round(v)}`)
      .join("\n");
  }
  return `  ${JSON.stringify(figures)}`;
}

export interface ReportInput {
  direct: TargetResult;
  backends: BackendResult[];
  proxy: { url: string; result: TargetResult } | undefined;
  /** The minimal write-before-forward proxy on PostgreSQL (ADR 0006), when it was measured. */
  floor?: TargetResult | undefined;
  failures: Record<string, string>;
  policyEngine: unknown;
  /** 1-minute load averages sampled during the run. */
  load: Record<string, number>;
  cores: number;
}

/** The whole printed report: one table per backend (and per --proxy), the targets, the policy engine. */
export function renderReport(r: ReportInput): { text: string; checks: TargetCheck[] } {
  const out: string[] = [];
  const checks: TargetCheck[] = [];
  const header = (col: string): Row => ["scenario", "direct", col, "ratio / added"];
  for (const b of r.backends) {
    const name = b.kind === "postgres" ? "PostgreSQL" : "PGlite";
    const rows = [...comparisonRows(r.direct, b.candor), ...storageRows(b)];
    out.push(
      formatTable(`\n== ${b.label}; Candor: ${b.candorCommand}`, header(`via Candor (${name})`), rows),
    );
    for (const n of b.notes) out.push(`  note: ${n}`);
    checks.push(...checkTargets(r.direct, b, r.floor));
  }
  if (r.proxy) {
    out.push(
      formatTable(
        `\n== --proxy ${r.proxy.url}`,
        header("via --proxy"),
        comparisonRows(r.direct, r.proxy.result),
      ),
    );
  }
  if (r.floor) {
    out.push(
      formatTable(
        "\n== floor: a minimal write-before-forward proxy on PostgreSQL (bench/floor-proxy.ts, ADR 0006)",
        header("via the floor"),
        comparisonRows(r.direct, r.floor, "floor"),
      ),
    );
  }
  out.push(`\nTargets (against the direct mock, same run):\n${formatTargets(checks)}`);
  for (const [k, e] of Object.entries(r.failures))
    out.push(`  MISS  [${k}] could not be measured: ${e.split("\n")[0]}`);
  out.push(`\nPolicy engine (bench/policy-engine.ts):\n${formatPolicyEngine(r.policyEngine)}`);
  const loads = Object.entries(r.load)
    .map(([k, v]) => `${k} ${round(v)}`)
    .join(", ");
  const busy = Object.values(r.load).some((v) => v > r.cores / 2);
  out.push(
    `\nMachine: ${r.cores} cores; 1-min load average ${loads}${busy ? " — other work shared the machine, figures are noisy" : ""}`,
  );
  return { text: out.join("\n"), checks };
}
