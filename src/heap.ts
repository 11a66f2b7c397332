/**
 * Heap tuning for the server process. Under load V8 lets garbage pile up in the old generation until a limit it
 * grows to several times the live set: a Candor whose live set is ~45 MB peaked at 230–275 MB RSS in the
 * streaming bench. A heap growing factor of 1.5 makes full collections come sooner (the live set is small, so
 * they are quick) and kept the peak at ~150–170 MB, for ~0.1–0.2 ms more CPU per request (docs/performance.md).
 * Unlike a hard cap (`--max-old-space-size`), it cannot turn a 32 MiB request body into an out-of-memory crash.
 * V8 reads this flag at every collection, so setting it at startup works; a command-line flag still wins.
 */
import { setFlagsFromString } from "node:v8";

const GROWING_PERCENT = "--heap-growing-percent=50";

export function tuneHeap(): void {
  if (process.execArgv.some((a) => a.startsWith("--heap-growing-percent"))) return;
  setFlagsFromString(GROWING_PERCENT);
}
