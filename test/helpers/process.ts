/**
 * Candor as a separate process (the compiled `dist/`, built by the test global setup — what `npm start` runs), for
 * what an in-process server cannot show: SIGKILL, SIGTERM, and several instances on one database.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresDatabase } from "./store.js";

export interface CandorProcess {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Where a process-level test keeps its data: a temp PGlite folder, or a fresh PostgreSQL database. */
export async function processDatabase(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const db = await createPostgresDatabase();
    return { env: { DATABASE_URL: db.url }, cleanup: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), "candor-test-"));
  return {
    env: { DATABASE_URL: "", CANDOR_DATA_DIR: dir },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The environment a child Candor gets: this one, with test defaults. */
export function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    UPSTREAM_URL: "simulated",
    CANDOR_LOG_LEVEL: "warn",
    ...extra,
  };
}

/** `candor keys create` in a child process: the key is the only thing on stdout. */
export function createKey(env: Record<string, string>, tenant = "proc"): string {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "keys", "create", "--tenant", tenant],
    {
      env: baseEnv(env),
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  if (r.status !== 0) throw new Error(`keys create failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function startCandorProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<CandorProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: baseEnv(env),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Candor did not start in time:\n${err}`)), timeoutMs);
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /Candor listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, stderr: () => err, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Candor exited (${code}) before listening:\n${err}`));
    });
  });
}
