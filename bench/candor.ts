/**
 * Candor as the bench runs it: a child process (the built dist/ when present, else the sources through tsx),
 * pinned to its own core, pointed at the mock, strict durability, default policy, logs at warn.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
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

/** node arguments that run a Candor entry point: dist/ when built, else src/ through tsx. */
function entry(root: string, which: "main" | "cli"): string[] {
  const built = join(root, "dist", "src", which === "main" ? "main.js" : "cli/main.js");
  if (existsSync(built)) return [built];
  return ["--import", "tsx", join(root, "src", which === "main" ? "main.ts" : "cli/main.ts")];
}

/** The policy Candor serves with: policies/default.yaml when it exists, else whatever policies/ holds. */
export function policyPath(root: string): string {
  const file = join(root, "policies", "default.yaml");
  return existsSync(file) ? file : join(root, "policies");
}

/** `candor keys create --tenant NAME` against the backend's database (migrates first); returns the key. */
export function createKey(root: string, env: NodeJS.ProcessEnv, tenant: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...entry(root, "cli"), "keys", "create", "--tenant", tenant],
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
  env: NodeJS.ProcessEnv;
  core: number | null;
  /** Write a V8 CPU profile into this directory (written when Candor exits). */
  cpuProfDir?: string;
}): Promise<CandorProcess> {
  const port = await freePort();
  const prof = opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const args = [...prof, ...entry(opts.root, "main")];
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
