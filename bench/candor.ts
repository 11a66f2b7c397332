/**
 * Candor as the bench runs it: a child process running compiled code (the repo's dist/, or a temporary build),
 * pinned to its own core, pointed at the mock, strict durability, default policy, logs at warn.
 */
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Child, freePort, spawnChild, waitReady } from "./processes.js";

export interface CandorProcess {
  url: string;
  pid: number;
  child: Child;
  /** How Candor was started (for the report). */
  command: string;
  readyMs: number;
  /** Graceful stop (SIGTERM; SIGKILL after 15 s). */
  stop(): Promise<string>;
}

/** Where Candor runs from: a compiled tree (`dist` holds src/**.js) or the sources through tsx. */
export type CandorBuild = { kind: "dist"; dir: string; temporary: string | null } | { kind: "tsx" };

/**
 * The repo's dist/ when built; else (unless `tsxOnly`) a compiled copy in a temporary directory, laid out so
 * Candor finds migrations/ and node_modules/ as it would in the repo. Compiled code is what `npm start` runs,
 * and it spares the measurement tsx's loader and source-map cost.
 */
export function prepareBuild(root: string, tsxOnly: boolean, log: (m: string) => void): CandorBuild {
  const built = join(root, "dist", "src", "main.js");
  if (existsSync(built) && newestSource(join(root, "src")) <= statSync(built).mtimeMs) {
    return { kind: "dist", dir: join(root, "dist"), temporary: null };
  }
  if (existsSync(built)) log("dist/ is older than src/: measuring a fresh build instead");
  if (tsxOnly) return { kind: "tsx" };
  const tmp = mkdtempSync(join(tmpdir(), "candor-build-"));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
  log(`compiling Candor into ${tmp} (--tsx skips this)…`);
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "-p",
      join(root, "tsconfig.build.json"),
      "--outDir",
      join(tmp, "dist"),
      "--tsBuildInfoFile",
      join(tmp, "tsbuildinfo"),
    ],
    { cwd: root, encoding: "utf8", timeout: 180_000 },
  );
  if (!existsSync(join(tmp, "dist", "src", "main.js"))) {
    throw new Error(`tsc produced no dist/src/main.js:\n${(r.stdout ?? "").slice(0, 2000)}`);
  }
  // tsc emits despite type errors (other work in progress); say so, since the run then measures that code.
  if (r.status !== 0) log("  (tsc reported type errors; the emitted code is measured anyway)");
  for (const name of ["migrations", "node_modules"]) symlinkSync(join(root, name), join(tmp, name));
  copyFileSync(join(root, "package.json"), join(tmp, "package.json"));
  return { kind: "dist", dir: join(tmp, "dist"), temporary: tmp };
}

/** The newest modification time (ms) of any file under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const m = statSync(join(dir, name)).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/** node arguments that run a Candor entry point. */
function entry(root: string, build: CandorBuild, which: "main" | "cli"): string[] {
  const file = which === "main" ? "main" : "cli/main";
  if (build.kind === "dist") return [join(build.dir, "src", `${file}.js`)];
  return ["--import", "tsx", join(root, "src", `${file}.ts`)];
}

/** The policy Candor serves with: policies/default.yaml when it exists, else whatever policies/ holds. */
export function policyPath(root: string): string {
  const file = join(root, "policies", "default.yaml");
  return existsSync(file) ? file : join(root, "policies");
}

/** `candor keys create --tenant NAME` against the backend's database (migrates first); returns the key. */
export function createKey(
  root: string,
  build: CandorBuild,
  env: NodeJS.ProcessEnv,
  tenant: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...entry(root, build, "cli"), "keys", "create", "--tenant", tenant],
      { cwd: root, env, timeout: 120_000 },
      (err, stdout, stderr) => {
        const key = stdout.trim();
        if (err || !key) reject(new Error(`candor keys create failed: ${stderr || String(err)}`));
        else resolve(key);
      },
    );
  });
}

export async function startCandor(opts: {
  root: string;
  build: CandorBuild;
  env: NodeJS.ProcessEnv;
  core: number | null;
  /** Write a V8 CPU profile into this directory (written when Candor exits). */
  cpuProfDir?: string;
}): Promise<CandorProcess> {
  const port = await freePort();
  const prof = opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  // Extra node flags for Candor, to try heap or GC settings: BENCH_NODE_ARGS="--max-semi-space-size=8".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const args = [...prof, ...nodeArgs, ...entry(opts.root, opts.build, "main")];
  const env = { ...opts.env, PORT: String(port), HOST: "127.0.0.1" };
  const child = spawnChild(process.execPath, args, { core: opts.core, env, cwd: opts.root });
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyMs = await waitReady(`${url}/readyz`, child, 90_000);
    return {
      url,
      pid: child.pid,
      child,
      readyMs,
      command: `${opts.core !== null ? `taskset -c ${opts.core} ` : ""}node ${args.join(" ").replaceAll(opts.root, ".")}`,
      stop: () => child.stop(15_000),
    };
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}
