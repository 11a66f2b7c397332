/**
 * The printed table (scenario, direct, via Candor, ratio or added ms) and the PASS/MISS list of targets.
 * Throughput compares as a ratio (candor / direct); latency as added milliseconds (candor − direct).
 */
import type { GroupStorage, TableCounts } from "./databases.js";
import type { TargetResult } from "./scenarios.js";
import { round } from "./stats.js";

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
  proxy?: TargetResult;
  /** Whole-database row counts after the run, and per turn. */
  rows: { counts: TableCounts & { databaseBytes: number }; perTurn: Record<string, number> };
  /** Rows per turn by scenario (each request was its own named session). */
  rowsByScenario: Record<string, { turns: number; perTurn: Record<string, number> }>;
  storage: StorageCheck | null;
  notes: string[];
}

export interface TargetCheck {
  backend: string;
  target: string;
  value: string;
  pass: boolean;
}

type Row = [string, string, string, string];

const f = (v: number, unit = "") =>
  Number.isFinite(v) ? `${round(v).toLocaleString("en-US")}${unit}` : "n/a";
const added = (c: number, d: number) =>
  Number.isFinite(c - d) ? `${c - d >= 0 ? "+" : ""}${f(c - d)} ms` : "n/a";
/** candor / direct; two significant digits below 0.1, so 0.014× does not print as 0.01×. */
const ratio = (c: number, d: number) => {
  if (!(d > 0) || !Number.isFinite(c)) return "n/a";
  const r = c / d;
  return `${r < 0.1 ? Number(r.toPrecision(2)) : round(r)}×`;
};

function latencyRows(label: string, d: { p50: number; p99: number }, c: { p50: number; p99: number }): Row[] {
  return [
    [`${label} p50 (ms)`, f(d.p50), f(c.p50), added(c.p50, d.p50)],
    [`${label} p99 (ms)`, f(d.p99), f(c.p99), added(c.p99, d.p99)],
  ];
}

/** Table rows comparing the mock directly with one set of results through a proxy. */
export function comparisonRows(d: TargetResult, c: TargetResult): Row[] {
  const rows: Row[] = [];
  rows.push([
    "closed-loop 32 conns (req/s)",
    f(d.closedLoop.reqPerSec),
    f(c.closedLoop.reqPerSec),
    ratio(c.closedLoop.reqPerSec, d.closedLoop.reqPerSec),
  ]);
  rows.push(...latencyRows("closed-loop latency", d.closedLoop.latencyMs, c.closedLoop.latencyMs));
  const o = (r: TargetResult) => r.openLoop.latency;
  rows.push(...latencyRows(`open-loop ${d.openLoop.rate}/s latency`, o(d), o(c)));
  rows.push([
    `open-loop ${d.openLoop.rate}/s p99.9 (ms)`,
    f(o(d).p999),
    f(o(c).p999),
    added(o(c).p999, o(d).p999),
  ]);
  const failed = (r: TargetResult) => {
    const ov = r.openLoop.overloaded;
    return `${r.openLoop.errors}${ov ? ` + ${ov.notSent} unsent (overloaded at ${round(ov.afterS)} s)` : ""}`;
  };
  rows.push([`open-loop ${d.openLoop.rate}/s failed`, failed(d), failed(c), ""]);
  rows.push([
    `open-loop ${d.openLoop.rate}/s answered (req/s)`,
    f(d.openLoop.achievedRate),
    f(c.openLoop.achievedRate),
    ratio(c.openLoop.achievedRate, d.openLoop.achievedRate),
  ]);
  const p = (r: TargetResult) => r.pacedStreams;
  rows.push(...latencyRows("32 paced streams TTFB", p(d).ttfb, p(c).ttfb));
  rows.push([
    "32 paced streams first text p50 (ms)",
    f(p(d).ttft.p50),
    f(p(c).ttft.p50),
    added(p(c).ttft.p50, p(d).ttft.p50),
  ]);
  rows.push([
    "32 paced streams total p50 (ms)",
    f(p(d).total.p50),
    f(p(c).total.p50),
    ratio(p(c).total.p50, p(d).total.p50),
  ]);
  rows.push([
    "32 paced streams total p99 (ms)",
    f(p(d).total.p99),
    f(p(c).total.p99),
    ratio(p(c).total.p99, p(d).total.p99),
  ]);
  rows.push([
    "32 paced streams (streams/s)",
    f(p(d).streamsPerSec),
    f(p(c).streamsPerSec),
    ratio(p(c).streamsPerSec, p(d).streamsPerSec),
  ]);
  rows.push([
    "32 unpaced streams (streams/s)",
    f(d.unpacedStreams.streamsPerSec),
    f(c.unpacedStreams.streamsPerSec),
    ratio(c.unpacedStreams.streamsPerSec, d.unpacedStreams.streamsPerSec),
  ]);
  for (const [n, key] of [
    [1, "streams1"],
    [64, "streams64"],
  ] as const) {
    rows.push(...latencyRows(`${n} stream${n > 1 ? "s" : ""} TTFB`, d[key].ttfb, c[key].ttfb));
    rows.push(
      ...latencyRows(`${n} stream${n > 1 ? "s" : ""} per-delta lag`, d[key].deltaLag, c[key].deltaLag),
    );
  }
  for (const [name, ms] of Object.entries(c.cpuMsPerRequest ?? {})) {
    const unit = name.toLowerCase().includes("streams") ? "stream" : "request";
    rows.push([`Candor CPU per ${unit}: ${name} (ms)`, "", f(ms), ""]);
  }
  if (c.memory)
    rows.push([
      "Candor peak RSS while streaming (MB)",
      "",
      f(c.memory.streamingPeakRssMb),
      `VmHWM ${f(c.memory.hwmMb)}`,
    ]);
  const heap = c.memory?.heap;
  if (heap) {
    const v = `heap ${f(heap.heapUsedMb)} used of ${f(heap.heapTotalMb)}, external ${f(heap.externalMb)}`;
    rows.push(["Candor V8 memory after streaming (MB)", "", v, ""]);
  }
  return rows;
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
  if (b.storage) {
    rows.push(["row bytes per turn, 2-turn conversations", "", f(b.storage.perTurn2), ""]);
    rows.push(["row bytes per turn, 20-turn conversations", "", f(b.storage.perTurn20), ""]);
    rows.push([
      "row bytes added by each of turns 3..20",
      "",
      f(b.storage.marginal),
      ratio(b.storage.marginal, b.storage.perTurn2),
    ]);
  }
  return rows;
}

export function formatTable(title: string, header: Row, rows: Row[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r: Row) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [title, line(header), rule, ...rows.map(line)].join("\n");
}

/** Every target of the brief, PASS or MISS, for one backend. */
export function checkTargets(d: TargetResult, b: BackendResult): TargetCheck[] {
  const c = b.candor;
  const out: TargetCheck[] = [];
  const add = (target: string, value: string, pass: boolean) =>
    out.push({ backend: b.kind, target, value, pass });
  const tput = c.closedLoop.reqPerSec / d.closedLoop.reqPerSec;
  add(
    "closed-loop throughput ≥ 0.05× direct (aim 0.12×)",
    `${ratio(c.closedLoop.reqPerSec, d.closedLoop.reqPerSec)}${tput >= 0.12 ? " (aim met)" : ""}`,
    tput >= 0.05,
  );
  const o50 = c.openLoop.latency.p50 - d.openLoop.latency.p50;
  const o99 = c.openLoop.latency.p99 - d.openLoop.latency.p99;
  // A run cut short or with failures did not sustain the rate: its latencies describe a queue, not the target.
  const ov = c.openLoop.overloaded;
  const sustained = c.openLoop.errors === 0 && ov === null;
  const why = ov
    ? ` (overloaded: answered ${f(c.openLoop.achievedRate)} req/s, cut at ${round(ov.afterS)} s)`
    : c.openLoop.errors > 0
      ? ` (${c.openLoop.errors} failed)`
      : "";
  const rate = d.openLoop.rate;
  add(
    `fixed ${rate} req/s: added p50 ≤ +3 ms`,
    `${added(c.openLoop.latency.p50, d.openLoop.latency.p50)}${why}`,
    o50 <= 3 && sustained,
  );
  add(
    `fixed ${rate} req/s: added p99 ≤ +50 ms`,
    `${added(c.openLoop.latency.p99, d.openLoop.latency.p99)}${why}`,
    o99 <= 50 && sustained,
  );
  const t50 = c.pacedStreams.ttfb.p50 - d.pacedStreams.ttfb.p50;
  add(
    "paced streams: TTFB p50 added ≤ +5 ms",
    added(c.pacedStreams.ttfb.p50, d.pacedStreams.ttfb.p50),
    t50 <= 5,
  );
  const tr = c.pacedStreams.total.p50 / d.pacedStreams.total.p50;
  add("paced streams: total-time ratio (p50) ≤ 1.1", `${round(tr)}×`, tr <= 1.1);
  const rss = c.memory?.streamingPeakRssMb ?? Number.NaN;
  add("peak RSS ≤ 200 MB during the streaming test", `${f(rss)} MB`, rss <= 200);
  for (const key of ["streams1", "streams64"] as const) {
    const a = c[key].ttfb.p99 - d[key].ttfb.p99;
    add(
      `p99 TTFB added ≤ 10 ms at ${c[key].concurrency} concurrent stream(s)`,
      added(c[key].ttfb.p99, d[key].ttfb.p99),
      a <= 10 && c[key].errors === 0,
    );
  }
  const s = b.storage;
  add(
    "storage per turn independent of history (turns 3..20 ≤ 1.25× a 2-turn turn)",
    s ? `${f(s.marginal)} B vs ${f(s.perTurn2)} B per turn` : "not measured",
    s !== null && s.marginal <= 1.25 * s.perTurn2,
  );
  return out;
}

export function formatTargets(checks: TargetCheck[]): string {
  return checks
    .map((c) => `  ${c.pass ? "PASS" : "MISS"}  [${c.backend}] ${c.target}: ${c.value}`)
    .join("\n");
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
    checks.push(...checkTargets(r.direct, b));
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
