/**
 * One backend, start to finish: a fresh database, a key, Candor started and warmed up, every measurement through
 * it, the multi-turn conversations, then Candor stopped and what it stored read back.
 */
import { type CandorBuild, type CandorProcess, createKey, policyPath, startCandor } from "./candor.js";
import { runConversations } from "./conversation.js";
import { type Backend, countRows, type GroupStorage, groupStorage, type Querier } from "./databases.js";
import type { Target } from "./http-client.js";
import { memoryOf, onCleanup, postgresCpuMs } from "./processes.js";
import type { BackendResult, StorageCheck } from "./report.js";
import { measureTarget, type Plan, PREFIX, SHAPES, warmUp } from "./scenarios.js";

export interface BackendRunOptions {
  root: string;
  build: CandorBuild;
  backend: Backend;
  mockUrl: string;
  plan: Plan;
  /** Core for Candor (null: not pinned). */
  core: number | null;
  log: (msg: string) => void;
}

const CONV = { two: "bench-conv2-", twenty: "bench-conv20-" } as const;

/** The environment Candor runs with in the bench (measurements and profiles alike). */
export function candorEnv(o: Pick<BackendRunOptions, "backend" | "mockUrl" | "root">): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing of the bench's own environment may pick the other backend or another upstream.
  for (const k of Object.keys(env)) if (k.startsWith("CANDOR_") || k === "DATABASE_URL") delete env[k];
  return {
    ...env,
    ...o.backend.env,
    UPSTREAM_URL: o.mockUrl,
    ANTHROPIC_API_KEY: "bench",
    CANDOR_LOG_LEVEL: "warn",
    CANDOR_DURABILITY: "strict",
    CANDOR_POLICY: policyPath(o.root),
    CANDOR_SHUTDOWN_GRACE_S: "2",
  };
}

function perTurn(rows: Record<string, number>, turns: number): Record<string, number> {
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, turns > 0 ? v / turns : Number.NaN]));
}

const totalBytes = (g: GroupStorage) => Object.values(g.bytes).reduce((s, v) => s + v, 0);

async function readStorage(q: Querier): Promise<Pick<BackendResult, "rows" | "rowsByScenario" | "storage">> {
  const counts = await countRows(q);
  const { databaseBytes: _bytes, turns, ...tables } = counts;
  const rows = { counts, perTurn: perTurn({ ...tables, turns }, turns) };
  const rowsByScenario: BackendResult["rowsByScenario"] = {};
  const groups = { ...PREFIX, conversation2: CONV.two, conversation20: CONV.twenty };
  const stored: Record<string, GroupStorage> = {};
  for (const [name, prefix] of Object.entries(groups)) {
    const g = await groupStorage(q, prefix);
    stored[name] = g;
    rowsByScenario[name] = { turns: g.turns, perTurn: perTurn(g.rows, g.turns) };
  }
  const two = stored.conversation2;
  const twenty = stored.conversation20;
  let storage: StorageCheck | null = null;
  if (two && twenty && two.sessions > 0 && twenty.sessions > 0 && two.turns > 0 && twenty.turns > 0) {
    const perConv2 = totalBytes(two) / two.sessions;
    const perConv20 = totalBytes(twenty) / twenty.sessions;
    const turns20 = twenty.turns / twenty.sessions;
    const turns2 = two.turns / two.sessions;
    storage = {
      perTurn2: totalBytes(two) / two.turns,
      perTurn20: totalBytes(twenty) / twenty.turns,
      marginal: (perConv20 - perConv2) / (turns20 - turns2),
      two,
      twenty,
    };
  }
  return { rows, rowsByScenario, storage };
}

/** Multi-turn conversations (storage per turn vs history length); returns notes on failed turns. */
async function converse(target: Target): Promise<string[]> {
  const notes: string[] = [];
  for (const [turnsEach, prefix] of [
    [2, CONV.two],
    [20, CONV.twenty],
  ] as const) {
    const r = await runConversations({ target, shape: SHAPES.unpaced, conversations: 4, turnsEach, prefix });
    if (r.errors > 0)
      notes.push(`${turnsEach}-turn conversations: ${r.errors} failed turns, first: ${r.firstError}`);
  }
  return notes;
}

/** Stops Candor gracefully; notes a bad exit and any warning it logged (at warn level a healthy run logs none). */
async function stopAndReview(candor: CandorProcess): Promise<string[]> {
  const notes: string[] = [];
  const how = await candor.stop();
  if (how !== "0") notes.push(`Candor exited with ${how} on SIGTERM`);
  const warnings = candor.child
    .stderrTail()
    .split("\n")
    .filter((l) => /"level":(40|50|60)/.test(l));
  if (warnings.length > 0) {
    notes.push(
      `Candor logged ${warnings.length} warning/error line(s), last: ${warnings.at(-1)?.slice(0, 300)}`,
    );
  }
  return notes;
}

/** Runs everything against one backend. Candor is always stopped and the backend disposed, even on failure. */
export async function runBackend(o: BackendRunOptions): Promise<BackendResult> {
  const name = o.backend.kind === "postgres" ? "PostgreSQL" : "PGlite";
  const log = (m: string) => o.log(`${name}: ${m}`);
  const env = candorEnv(o);
  let candor: CandorProcess | null = null;
  // Interrupted (Ctrl-C): still drop the database / remove the directory.
  const unregister = onCleanup(() => o.backend.dispose());
  try {
    log("creating the app key (migrates the fresh database)…");
    const key = await createKey(o.root, o.build, env, "bench");
    candor = await startCandor({ root: o.root, build: o.build, env, core: o.core });
    const { command, readyMs, pid } = candor;
    const rssAtReadyMb = memoryOf(pid)?.rssMb ?? Number.NaN;
    log(`Candor ready in ${Math.round(readyMs)} ms (pid ${pid}); warming up ${o.plan.warmupS}s…`);
    const headers = { "x-api-key": key, "anthropic-version": "2023-06-01" };
    const target: Target = { name: "candor", url: candor.url, headers };
    await warmUp(target, o.plan.warmupS);
    const dbCpu = o.backend.kind === "postgres" ? postgresCpuMs : undefined;
    const measured = await measureTarget(target, o.plan, log, pid, dbCpu);
    log("conversations: 4 × 2 turns and 4 × 20 turns (history resent each turn)…");
    const notes = await converse(target);
    log("stopping Candor and reading what it stored…");
    notes.push(...(await stopAndReview(candor)));
    candor = null;
    const q = await o.backend.open();
    try {
      const stored = await readStorage(q);
      const { kind, label } = o.backend;
      return {
        kind,
        label,
        candorCommand: command,
        readyMs,
        rssAtReadyMb,
        candor: measured,
        notes,
        ...stored,
      };
    } finally {
      await q.close();
    }
  } finally {
    if (candor) await candor.stop();
    unregister();
    await o.backend.dispose().catch((err: unknown) => log(`could not clean up: ${String(err)}`));
  }
}
