/** The brief's targets, PASS or MISS, judged against the direct mock of the same run. */
import { added, f, ratio } from "./format.js";
import type { BackendResult } from "./report.js";
import type { TargetResult } from "./scenarios.js";
import { round } from "./stats.js";

export interface TargetCheck {
  backend: string;
  target: string;
  value: string;
  pass: boolean;
}

/** Open-loop targets: a run cut short or with failures did not sustain the rate, so it misses whatever its
 *  latencies (which then describe a queue) say. */
function openLoopChecks(d: TargetResult, c: TargetResult): Array<Omit<TargetCheck, "backend">> {
  const ov = c.openLoop.overloaded;
  const sustained = c.openLoop.errors === 0 && ov === null;
  const why = ov
    ? ` (overloaded: answered ${f(c.openLoop.achievedRate)} req/s, cut at ${round(ov.afterS)} s)`
    : c.openLoop.errors > 0
      ? ` (${c.openLoop.errors} failed)`
      : "";
  const rate = d.openLoop.rate;
  const [dl, cl] = [d.openLoop.latency, c.openLoop.latency];
  return [
    {
      target: `fixed ${rate} req/s: added p50 ≤ +3 ms`,
      value: `${added(cl.p50, dl.p50)}${why}`,
      pass: sustained && cl.p50 - dl.p50 <= 3,
    },
    {
      target: `fixed ${rate} req/s: added p99 ≤ +50 ms`,
      value: `${added(cl.p99, dl.p99)}${why}`,
      pass: sustained && cl.p99 - dl.p99 <= 50,
    },
  ];
}

/**
 * Every target of the brief, PASS or MISS, for one backend. With the floor (ADR 0006), the stream latency
 * targets also say what the minimal write-before-forward proxy added in the same run: context, not the verdict.
 */
export function checkTargets(d: TargetResult, b: BackendResult, floor?: TargetResult): TargetCheck[] {
  const c = b.candor;
  const checks: Array<Omit<TargetCheck, "backend">> = [];
  const add = (target: string, value: string, pass: boolean) => checks.push({ target, value, pass });
  const tput = c.closedLoop.reqPerSec / d.closedLoop.reqPerSec;
  const aim = tput >= 0.12 ? " (aim met)" : "";
  add(
    "closed-loop throughput ≥ 0.05× direct (aim 0.12×)",
    `${ratio(c.closedLoop.reqPerSec, d.closedLoop.reqPerSec)}${aim}`,
    tput >= 0.05,
  );
  checks.push(...openLoopChecks(d, c));
  const [dp, cp] = [d.pacedStreams, c.pacedStreams];
  add(
    "paced streams: TTFB p50 added ≤ +5 ms",
    added(cp.ttfb.p50, dp.ttfb.p50),
    cp.ttfb.p50 - dp.ttfb.p50 <= 5,
  );
  const tr = cp.total.p50 / dp.total.p50;
  add("paced streams: total-time ratio (p50) ≤ 1.1", `${round(tr)}×`, tr <= 1.1);
  const rss = c.memory?.streamingPeakRssMb ?? Number.NaN;
  add("peak RSS ≤ 200 MB during the streaming test", `${f(rss)} MB`, rss <= 200);
  for (const key of ["streams1", "streams64"] as const) {
    const a = c[key].ttfb.p99 - d[key].ttfb.p99;
    const label = `p99 TTFB added ≤ 10 ms at ${c[key].concurrency} concurrent stream(s)`;
    const pass = a <= 10 && c[key].errors === 0;
    const fs = floor?.[key];
    const fl = fs ? `; the floor on PostgreSQL: ${added(fs.ttfb.p99, d[key].ttfb.p99)}` : "";
    const why =
      fs && !pass && fs.ttfb.p99 - d[key].ttfb.p99 > 10
        ? " (the floor misses too: here the limit is the machine, not Candor; ADR 0006)"
        : "";
    add(label, `${added(c[key].ttfb.p99, d[key].ttfb.p99)}${fl}${why}`, pass);
  }
  const s = b.storage;
  add(
    "storage per turn independent of history (turns 3..20 ≤ 1.25× a 2-turn turn)",
    s ? `${f(s.marginal)} B vs ${f(s.perTurn2)} B per turn` : "not measured",
    s !== null && s.marginal <= 1.25 * s.perTurn2,
  );
  return checks.map((x) => ({ backend: b.kind, ...x }));
}

export function formatTargets(checks: TargetCheck[]): string {
  return checks
    .map((c) => `  ${c.pass ? "PASS" : "MISS"}  [${c.backend}] ${c.target}: ${c.value}`)
    .join("\n");
}
