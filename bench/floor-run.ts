/**
 * Measures the floor (bench/floor-proxy.ts, ADR 0006) exactly as Candor is measured: a fresh PostgreSQL
 * database, the proxy on Candor's core, every scenario, its own CPU and PostgreSQL's. Always stops the proxy and
 * drops the database.
 */
import { join } from "node:path";
import { createPostgresBackend } from "./databases.js";
import type { Target } from "./http-client.js";
import { firstLine, onCleanup, postgresCpuMs, spawnChild } from "./processes.js";
import { measureTarget, type Plan, type TargetResult, warmUp } from "./scenarios.js";

export async function runFloor(o: {
  root: string;
  adminUrl: string;
  mockUrl: string;
  plan: Plan;
  core: number | null;
  log: (msg: string) => void;
}): Promise<TargetResult> {
  const log = (m: string) => o.log(`floor: ${m}`);
  const backend = await createPostgresBackend(o.adminUrl);
  const unregister = onCleanup(() => backend.dispose());
  const database = backend.env.DATABASE_URL ?? "";
  const script = join(o.root, "bench", "floor-proxy.ts");
  const args = [
    "--import",
    "tsx",
    script,
    "--upstream",
    o.mockUrl,
    "--database",
    database,
    "--exit-with-stdin",
  ];
  const child = spawnChild(process.execPath, args, {
    core: o.core,
    env: process.env,
    cwd: o.root,
    stdin: "pipe",
  });
  try {
    const { port } = JSON.parse(await firstLine(child, 30_000)) as { port: number };
    const target: Target = {
      name: "floor",
      url: `http://127.0.0.1:${port}`,
      headers: { "x-api-key": "bench" },
    };
    log(
      `minimal write-before-forward proxy on ${target.url} (pid ${child.pid}); warming up ${o.plan.warmupS}s…`,
    );
    await warmUp(target, o.plan.warmupS);
    return await measureTarget(target, o.plan, log, child.pid, postgresCpuMs);
  } finally {
    await child.stop(3_000);
    unregister();
    await backend.dispose();
  }
}
