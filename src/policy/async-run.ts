/** Running network detectors with a hard timeout and the caller's abort signal. */
import { threw } from "./compile.js";
import type { AsyncDetector, DetectorResult } from "./detectors/types.js";
import type { Stage } from "./types.js";

/**
 * Runs one async check. A timeout aborts the detector's signal and resolves to a `timeout` error even if the
 * detector ignores the signal; a rejection becomes a `threw` error. Never rejects.
 */
export async function runAsyncDetector(
  detector: AsyncDetector,
  text: string,
  ctx: { ruleId: string; stage: Stage },
  outer?: AbortSignal,
): Promise<DetectorResult> {
  const ac = new AbortController();
  const onAbort = () => ac.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  outer?.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DetectorResult>((resolve) => {
    timer = setTimeout(() => {
      ac.abort(new Error("timeout"));
      resolve({
        verdict: "no_match",
        error: { kind: "timeout", message: `no answer within ${detector.timeoutMs} ms` },
      });
    }, detector.timeoutMs);
  });
  try {
    const run = Promise.resolve()
      .then(() => detector.check(text, { ...ctx, signal: ac.signal }))
      .catch((err: unknown) => threw(err));
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onAbort);
  }
}

/** Runs thunks with at most `limit` in flight; results in input order. */
export async function mapLimit<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
