/**
 * Measures the floor (bench/floor-proxy.ts, ADR 0006) exactly as Candor is measured: a fresh PostgreSQL
 * database, the proxy on Candor's core, every scenario, its own CPU and PostgreSQL's. Always stops the proxy and
 * drops the database.
 */
import { createPostgresBackend } from "./databases.js";
import type { Target } from "./http-client.js";
import { onCleanup, postgresCpuMs, startBenchServer } from "./processes.js";
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
  try {
    const args = ["--upstream", o.mockUrl, "--database", backend.env.DATABASE_URL ?? ""];
    const { url, child } = await startBenchServer({
      root: o.root,
      script: "floor-proxy.ts",
      args,
      core: o.core,
    });
    try {
      const target: Target = { name: "floor", url, headers: { "x-api-key": "bench" } };
      log(`minimal write-before-forward proxy on ${url} (pid ${child.pid}); warming up ${o.plan.warmupS}s…`);
      await warmUp(target, o.plan.warmupS);
      return await measureTarget(target, o.plan, log, child.pid, postgresCpuMs);
    } finally {
      await child.stop(3_000);
    }
  } finally {
    unregister();
    await backend.dispose();
  }
}
