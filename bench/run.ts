/**
 * `npm run bench` (= tsx bench/run.ts): Candor's benchmark suite. Starts a fast mock Anthropic upstream and
 * Candor (on PostgreSQL, then on PGlite) as child processes, measures the mock directly and through Candor in
 * the same run, prints a table and PASS/MISS per target, and writes JSON to bench/results/<timestamp>.json.
 *
 * Options: --backend both|postgres|pglite   --quick (shorter runs)   --proxy URL [--proxy-key KEY]
 *          --pg-url postgres://…/postgres   --mock-port N   --no-pin   --profile [--profile-seconds N]
 *          --tsx (run Candor's sources through tsx instead of compiling them first)
 *          --no-floor (skip the minimal write-before-forward proxy measured beside Candor, ADR 0006)
 *          --report bench/results/<file>.json (print the table of a saved run again; measures nothing)
 * Always exits 0 once it has measured, whether or not targets were met; 1 if it could not measure.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runBackend } from "./backend-run.js";
import { type CandorBuild, prepareBuild } from "./candor.js";
import { type Backend, createPgliteBackend, createPostgresBackend, DEFAULT_ADMIN_URL } from "./databases.js";
import { runFloor } from "./floor-run.js";
import type { Target } from "./http-client.js";
import {
  hasTaskset,
  installCleanup,
  loadAverage,
  onCleanup,
  pinSelf,
  startBenchServer,
} from "./processes.js";
import { PROFILE_LOADS, type ProfileLoad, runProfile } from "./profile-run.js";
import { type BackendResult, type ReportInput, renderReport } from "./report.js";
import { FULL_PLAN, measureTarget, QUICK_PLAN, type TargetResult, warmUp } from "./scenarios.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

const USAGE = `Usage: npm run bench -- [options]
  --backend both|postgres|pglite   which databases to measure Candor on (default both)
  --quick                          shorter measurements (~1 min per backend)
  --proxy URL [--proxy-key KEY]    also measure another proxy that forwards to the mock (see --mock-port)
  --mock-port N                    port of the mock upstream (default: a free one)
  --pg-url URL                     PostgreSQL admin URL (default $BENCH_PG_URL or ${DEFAULT_ADMIN_URL})
  --no-pin                         do not pin processes to cores with taskset
  --no-floor                       skip the floor: a minimal write-before-forward proxy measured on
                                   PostgreSQL beside Candor, to read latency against the machine (ADR 0006)
  --tsx                            run Candor's sources through tsx instead of compiling them
  --profile [--profile-seconds N] [--profile-load json|saturation64|paced32]
                                   CPU profile of Candor under the closed-loop load (json, 32 connections),
                                   64 streams without think time (saturation64) or 32 paced streams (paced32)
  --report FILE                    print the table of a saved run (bench/results/*.json)
`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        backend: { type: "string", default: "both" },
        quick: { type: "boolean", default: false },
        proxy: { type: "string" },
        "proxy-key": { type: "string", default: "bench" },
        "pg-url": { type: "string", default: process.env.BENCH_PG_URL ?? DEFAULT_ADMIN_URL },
        "mock-port": { type: "string", default: "0" },
        "no-pin": { type: "boolean", default: false },
        "no-floor": { type: "boolean", default: false },
        profile: { type: "boolean", default: false },
        tsx: { type: "boolean", default: false },
        report: { type: "string" },
        "profile-seconds": { type: "string", default: "10" },
        "profile-load": { type: "string", default: "json" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const args = parseOptions();
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

async function startMock(core: number | null): Promise<{ url: string; stop: () => Promise<string> }> {
  const mockArgs = ["--port", String(args["mock-port"])];
  const { url, child } = await startBenchServer({
    root: ROOT,
    script: "mock-upstream.ts",
    args: mockArgs,
    core,
  });
  return { url, stop: () => child.stop(3_000) };
}

async function makeBackend(kind: "postgres" | "pglite"): Promise<Backend> {
  return kind === "postgres" ? createPostgresBackend(String(args["pg-url"])) : createPgliteBackend();
}

/** (g): the policy engine's own figures, when bench/policy-engine.ts exports benchPolicyEngine(). */
async function policyEngineFigures(): Promise<unknown> {
  const file = join(ROOT, "bench", "policy-engine.ts");
  if (!existsSync(file)) return { skipped: "bench/policy-engine.ts does not exist" };
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = mod.benchPolicyEngine;
  if (typeof fn !== "function") return { skipped: "bench/policy-engine.ts exports no benchPolicyEngine()" };
  log("policy engine: benchPolicyEngine()…");
  const timeout = new Promise((resolve) =>
    setTimeout(() => resolve({ skipped: "timed out after 90 s" }), 90_000).unref(),
  );
  return Promise.race([Promise.resolve((fn as () => unknown)()), timeout]);
}

function writeJson(name: string, data: unknown): string {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");

interface Setup {
  build: CandorBuild;
  mock: { url: string; stop: () => Promise<string> };
  candorCore: number | null;
  pinned: boolean;
  kinds: Array<"postgres" | "pglite">;
}

async function setUp(): Promise<Setup> {
  const pinned = !args["no-pin"] && hasTaskset() && cpus().length >= 2;
  if (pinned && !pinSelf(1)) log("could not pin the bench itself to core 1");
  log(
    pinned
      ? "pinning: Candor on core 0; mock and load generator on core 1; PostgreSQL unpinned"
      : "pinning: off (no taskset, fewer than 2 cores, or --no-pin)",
  );
  const load = loadAverage();
  if (load > 0.5)
    log(`warning: 1-min load average is ${load} on ${cpus().length} cores: other work shares the machine`);
  const kinds = args.backend === "both" ? ["postgres" as const, "pglite" as const] : [args.backend];
  if (!kinds.every((k): k is "postgres" | "pglite" => k === "postgres" || k === "pglite")) {
    throw new Error("--backend must be both, postgres or pglite");
  }
  const build = prepareBuild(ROOT, args.tsx, log);
  const mock = await startMock(pinned ? 1 : null);
  installCleanup();
  onCleanup(async () => void (await mock.stop()));
  log(`mock upstream on ${mock.url}`);
  return { build, mock, candorCore: pinned ? 0 : null, pinned, kinds };
}

function profileLoad(name: string | undefined): ProfileLoad {
  const load = PROFILE_LOADS.find((l) => l === name);
  if (load) return load;
  process.stderr.write(`bench: --profile-load must be one of ${PROFILE_LOADS.join(", ")}\n`);
  process.exit(2);
}

async function profileOnly(s: Setup): Promise<number> {
  const backend = await makeBackend(s.kinds[0] ?? "postgres");
  const p = await runProfile({
    root: ROOT,
    build: s.build,
    backend,
    mockUrl: s.mock.url,
    core: s.candorCore,
    seconds: Number(args["profile-seconds"]),
    load: profileLoad(args["profile-load"]),
    log,
    resultsDir: join(ROOT, "bench", "results"),
  });
  process.stdout.write(`${p.text}\n`);
  log(`profile kept in ${p.file}`);
  const json = { backend: backend.kind, reqPerSec: p.reqPerSec, loadAverage: loadAverage(), ...p.summary };
  log(`wrote ${writeJson(`profile-${stamp()}.json`, json)}`);
  return 0;
}

async function measureAll(s: Setup): Promise<number> {
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN;
  const startedAt = new Date().toISOString();
  const load: Record<string, number> = { start: loadAverage() };
  const directTarget: Target = { name: "direct", url: s.mock.url, headers: { "x-api-key": "bench" } };
  await warmUp(directTarget, plan.warmupS);
  const direct = await measureTarget(directTarget, plan, (m) => log(`direct mock: ${m}`));
  let proxy: { url: string; result: TargetResult } | undefined;
  if (args.proxy) {
    const url = args.proxy;
    const t: Target = { name: "proxy", url, headers: { "x-api-key": String(args["proxy-key"]) } };
    await warmUp(t, plan.warmupS);
    proxy = { url, result: await measureTarget(t, plan, (m) => log(`--proxy ${url}: ${m}`)) };
  }
  const backends: BackendResult[] = [];
  const failures: Record<string, string> = {};
  let floor: TargetResult | undefined;
  if (s.kinds.includes("postgres") && !args["no-floor"]) {
    try {
      const where = { root: ROOT, adminUrl: String(args["pg-url"]), mockUrl: s.mock.url };
      floor = await runFloor({ ...where, plan, core: s.candorCore, log });
    } catch (err) {
      failures.floor = err instanceof Error ? err.message : String(err);
      log(`floor failed: ${failures.floor}`);
    }
  }
  for (const kind of s.kinds) {
    try {
      const backend = await makeBackend(kind);
      const opts = {
        root: ROOT,
        build: s.build,
        backend,
        mockUrl: s.mock.url,
        plan,
        core: s.candorCore,
        log,
      };
      backends.push(await runBackend(opts));
    } catch (err) {
      failures[kind] = err instanceof Error ? err.message : String(err);
      log(`${kind} failed: ${failures[kind]}`);
    }
    load[kind] = loadAverage();
  }
  const policyEngine = await policyEngineFigures().catch((err: unknown) => ({ error: String(err) }));
  const report = renderReport({
    direct,
    backends,
    proxy,
    floor,
    failures,
    policyEngine,
    load,
    cores: cpus().length,
  });
  process.stdout.write(`${report.text}\n`);
  const json = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", node: process.version, loadAverage: load },
    pinning: s.pinned ? { candor: 0, mockAndClient: 1, postgres: "unpinned" } : null,
    candor: s.build.kind === "dist" ? "compiled" : "tsx",
    plan,
    direct,
    ...(proxy ? { proxy } : {}),
    ...(floor ? { floor } : {}),
    backends,
    failures,
    targets: report.checks,
    policyEngine,
  };
  log(`wrote ${writeJson(`${stamp()}.json`, json)}`);
  return backends.length > 0 ? 0 : 1;
}

/** --report: the table of a saved run, rendered by today's report code. */
function reprint(file: string): number {
  const saved = JSON.parse(readFileSync(file, "utf8")) as Omit<ReportInput, "load" | "cores" | "proxy"> & {
    machine: { cpus: number; loadAverage: Record<string, number> };
    proxy?: ReportInput["proxy"];
  };
  const { text } = renderReport({
    ...saved,
    proxy: saved.proxy,
    load: saved.machine.loadAverage,
    cores: saved.machine.cpus,
  });
  process.stdout.write(`${text}\n`);
  return 0;
}

async function main(): Promise<number> {
  if (args.report) return reprint(args.report);
  const s = await setUp();
  try {
    return await (args.profile ? profileOnly(s) : measureAll(s));
  } finally {
    await s.mock.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
