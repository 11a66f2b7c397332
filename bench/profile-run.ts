/**
 * `npm run bench -- --profile`: Candor with `node --cpu-prof` under one load (`--profile-load`): the closed loop
 * (json, 32 connections), 64 streams without think time (saturation64) or 32 paced streams (paced32); then the
 * top self-time functions and areas. The profile covers start-up and warm-up too (a few % of samples).
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
import { runStreamLoad } from "./stream-load.js";

export async function runProfile(o: {
  root: string;
  build: CandorBuild;
  backend: Backend;
  mockUrl: string;
  core: number | null;
  seconds: number;
  load: ProfileLoad;
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
      o.log(`profiling: warm-up, then the ${o.load} load for ${o.seconds}s…`);
      await warmUp(target, 2);
      const reqPerSec = await profiledLoad(target, o.load, o.seconds);
      o.log(
        `profiling: ${Math.round(reqPerSec)} req/s under the profiler; stopping Candor to write the profile…`,
      );
      await candor.stop();
      const file = readdirSync(dir).find((n) => n.endsWith(".cpuprofile"));
      if (!file) throw new Error("Candor wrote no .cpuprofile (did it exit cleanly on SIGTERM?)");
      const summary = summarizeProfile(join(dir, file), o.root);
      // Kept for Chrome DevTools / speedscope (bench/results/ is git-ignored).
      mkdirSync(o.resultsDir, { recursive: true });
      const kept = join(o.resultsDir, `candor-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
      copyFileSync(join(dir, file), kept);
      return { summary, reqPerSec, text: formatProfile(summary), file: kept };
    } finally {
      await candor.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    unregister();
    await o.backend.dispose();
  }
}

/** What load the profile is taken under: `--profile-load`. */
export const PROFILE_LOADS = ["json", "saturation64", "paced32"] as const;
export type ProfileLoad = (typeof PROFILE_LOADS)[number];

async function profiledLoad(target: Target, load: ProfileLoad, seconds: number): Promise<number> {
  if (load !== "json") {
    const [shape, concurrency] = load === "saturation64" ? [SHAPES.lag, 64] : [SHAPES.paced, 32];
    const r = await runStreamLoad({ target, shape, concurrency, durationMs: seconds * 1000 });
    return r.streamsPerSec;
  }
  const body = () => messagesBody(SHAPES.json, false);
  return (await runClosedLoop({ target, body, connections: 32, durationS: seconds })).reqPerSec;
}
