/**
 * Child processes of the bench: CPU pinning with taskset, a registry that kills every child when the bench
 * exits (normally, on error or on SIGINT), readiness polling, and memory sampling from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const children = new Set<ChildProcess>();
let hooked = false;

function killAll(signal: NodeJS.Signals): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}

const cleanups = new Set<() => Promise<void>>();

/** Registers async clean-up (drop a database, stop a server) to run if the bench is interrupted; returns an
 *  unregister function for when the work was cleaned up normally. */
export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/**
 * Kills every child still running when the bench exits, however it exits; on SIGINT/SIGTERM also runs the
 * registered clean-ups (bounded to 8 s) before exiting 130. Idempotent.
 */
export function installCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => killAll("SIGKILL"));
  let signals = 0;
  const handler = (signal: NodeJS.Signals) => {
    signals++;
    process.stderr.write(`\n[bench] ${signal}: stopping children and cleaning up…\n`);
    if (signals > 1) process.exit(130);
    killAll("SIGTERM");
    setTimeout(() => process.exit(130), 8_000).unref();
    void Promise.allSettled([...cleanups].map((fn) => fn())).finally(() => process.exit(130));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

let tasksetOk: boolean | null = null;

/** Whether `taskset` exists and may set affinity here (containers can forbid it). */
export function hasTaskset(): boolean {
  if (tasksetOk === null) {
    try {
      execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
      tasksetOk = true;
    } catch {
      tasksetOk = false;
    }
  }
  return tasksetOk;
}

/** Pins this process (all its threads) to one core; returns whether it worked. */
export function pinSelf(core: number): boolean {
  if (!hasTaskset()) return false;
  try {
    execFileSync("taskset", ["-a", "-cp", String(core), String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The last few KB of stderr, for error messages. */
  stderrTail(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<string>;
}

/** Spawns `cmd args` (pinned to `core` when taskset works; taskset execs, so the pid is the program's). */
export function spawnChild(
  cmd: string,
  args: string[],
  opts: { core: number | null; env: NodeJS.ProcessEnv; cwd: string; stdin?: "pipe" | "ignore" },
): Child {
  const pin = opts.core !== null && hasTaskset();
  const [file, argv] = pin ? ["taskset", ["-c", String(opts.core), cmd, ...args]] : [cmd, args];
  const proc = spawn(file, argv, {
    env: opts.env,
    cwd: opts.cwd,
    stdio: [opts.stdin ?? "ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let tail = "";
  proc.stderr?.on("data", (d: Buffer) => {
    tail = (tail + d.toString("utf8")).slice(-4096);
  });
  const exited = new Promise<string>((resolve) => {
    proc.once("exit", (code, signal) => {
      children.delete(proc);
      resolve(signal ?? String(code));
    });
  });
  if (proc.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = proc.pid;
  return {
    proc,
    pid,
    stderrTail: () => tail,
    exited,
    async stop(graceMs) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}

/** Reads the first line a child prints on stdout (bounded by `timeoutMs`). */
export function firstLine(child: Child, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(
      () => reject(new Error(`no output within ${timeoutMs} ms: ${child.stderrTail()}`)),
      timeoutMs,
    );
    child.proc.stdout?.on("data", (d: Buffer) => {
      buf += d.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, nl));
      }
    });
    void child.exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`exited (${how}) before printing: ${child.stderrTail()}`));
    });
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitReady(url: string, child: Child, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let dead: string | null = null;
  void child.exited.then((how) => {
    dead = how;
  });
  while (performance.now() - started < timeoutMs) {
    if (dead !== null) throw new Error(`exited (${dead}) before ready:\n${child.stderrTail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${child.stderrTail()}`);
}

/** VmRSS and VmHWM (peak) of a process, in MB; null when /proc is not there. */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | null {
  const path = `/proc/${pid}/status`;
  if (!existsSync(path)) return null;
  try {
    const text = readFileSync(path, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? "NaN");
    return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** Samples VmRSS every `everyMs` until stopped; returns the highest sample (MB). */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let max = memoryOf(pid)?.rssMb ?? Number.NaN;
  const timer = setInterval(() => {
    const m = memoryOf(pid);
    if (m && !(m.rssMb <= max)) max = m.rssMb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const m = memoryOf(pid);
      if (m && !(m.rssMb <= max)) max = m.rssMb;
      return max;
    },
  };
}

let clockTicks: number | null = null;

/** User + system CPU (ms) from the text of a `/proc/<pid>/stat`. */
function cpuMsOfStat(stat: string): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / clockTicks;
}

/** CPU time (user + system, ms) a process has used so far; NaN when /proc is not there. */
export function cpuMsOf(pid: number): number {
  try {
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time (ms) used so far by every PostgreSQL server process on the machine (comm `postgres`: backends, WAL
 * writer, checkpointer…). The bench's database is the only busy one while it runs, so a difference over a
 * measurement is what the database spent serving it — on the same cores as Candor and the mock.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === "postgres") total += cpuMsOfStat(stat);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** The 1-minute load average and the number of cores, to warn when other work shares the machine. */
export function loadAverage(): number {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits until a process is idle (under 10% of a core over two 250 ms windows), up to `maxMs`; returns how long
 * it took. A server left with a backlog would otherwise spend the next measurement finishing this one's work.
 */
export async function waitIdle(pid: number, maxMs = 30_000): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  let last = cpuMsOf(pid);
  while (performance.now() - started < maxMs && quiet < 2) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuMsOf(pid);
    if (!Number.isFinite(now)) return performance.now() - started;
    quiet = now - last < 25 ? quiet + 1 : 0;
    last = now;
  }
  return performance.now() - started;
}

/**
 * Starts one of the bench's own servers (`bench/<script>.ts` through tsx: the mock, the floor proxy), pinned to
 * `core`, stopped when its stdin closes (`--exit-with-stdin`, so it never outlives the bench), and waits for the
 * `{"port":N}` line it prints when it listens.
 */
export async function startBenchServer(o: {
  root: string;
  script: string;
  args: string[];
  core: number | null;
}): Promise<{ url: string; child: Child }> {
  const argv = ["--import", "tsx", join(o.root, "bench", o.script), ...o.args, "--exit-with-stdin"];
  const child = spawnChild(process.execPath, argv, {
    core: o.core,
    env: process.env,
    cwd: o.root,
    stdin: "pipe",
  });
  try {
    const { port } = JSON.parse(await firstLine(child, 30_000)) as { port: number };
    return { url: `http://127.0.0.1:${port}`, child };
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}
