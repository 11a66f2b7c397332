/**
 * `npm run bench -- --profile`: Candor under the closed-loop load (32 connections) with `node --cpu-prof`, then
 * the top self-time functions and areas. The profile covers start-up and warm-up too (a few % of samples).
 */

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { candorEnv } from "./backend-run.js";
import { messagesBody } from "./bodies.js";
import { type CandorBuild, createKey, startCandor } from "./candor.js";
import { runClosedLoop } from "./closed-loop.js";
import type { Backend } from "./databases.js";
import type { Target } from "./http-client.js";
import { onCleanup } from "./processes.js";
import { formatProfile, type ProfileSummary, summarizeProfile } from "./profile.js";
import { SHAPES, warmUp } from "./scenarios.js";

export async function runProfile(o: {
  root: string;
  build: CandorBuild;
  backend: Backend;
  mockUrl: string;
  core: number | null;
  seconds: number;
  log: (m: string) => void;
  resultsDir: string;
}): Promise<{ summary: ProfileSummary; reqPerSec: number; text: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), "candor-prof-"));
  const env = candorEnv(o);
  const unregister = onCleanup(() => o.backend.dispose());
  try {
    const key = await createKey(o.root, o.build, env, "bench");
    const candor = await startCandor({ root: o.root, build: o.build, env, core: o.core, cpuProfDir: dir });
    try {
      const target: Target = { name: "candor", url: candor.url, headers: { "x-api-key": key } };
      o.log(`profiling: warm-up, then closed-loop 32 conns for ${o.seconds}s…`);
      await warmUp(target, 2);
      const r = await runClosedLoop({
        target,
        body: () => messagesBody(SHAPES.json, false),
        connections: 32,
        durationS: o.seconds,
      });
      o.log(
        `profiling: ${Math.round(r.reqPerSec)} req/s under the profiler; stopping Candor to write the profile…`,
      );
      await candor.stop();
      const file = readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
      if (!file) throw new Error("Candor wrote no .cpuprofile (did it exit cleanly on SIGTERM?)");
      const summary = summarizeProfile(join(dir, file), o.root);
      // Kept for Chrome DevTools / speedscope (bench/results/ is git-ignored).
      mkdirSync(o.resultsDir, { recursive: true });
      const kept = join(o.resultsDir, `candor-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
      copyFileSync(join(dir, file), kept);
      return { summary, reqPerSec: r.reqPerSec, text: formatProfile(summary), file: kept };
    } finally {
      await candor.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    unregister();
    await o.backend.dispose();
  }
}
