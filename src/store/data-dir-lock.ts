/**
 * PGlite cannot tell a live holder of its data directory from a dead one: a killed process leaves
 * `postmaster.pid` (holding a fake pid) and the next open hangs with no error. Candor therefore holds its own lock
 * (a file with the real pid), refuses to start while a live process holds it, and clears PGlite's stale
 * `postmaster.pid` once it holds the lock.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export class DataDirBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The data directory ${dir} is in use by another Candor process (pid ${pid}). Stop it, or set CANDOR_DATA_DIR.`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Take the lock on `dir` (created if missing). Returns release(). Throws DataDirBusyError if a live process holds it. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, "candor.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      // We hold the lock, so any postmaster.pid is left over from a dead process.
      rmSync(join(dir, "pgdata", "postmaster.pid"), { force: true });
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number.parseInt(readFileSync(lockFile, "utf8"), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DataDirBusyError(dir, holder);
      }
      rmSync(lockFile, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`Could not lock the data directory ${dir}`);
}
