/**
 * Loading policies from disk and watching them for changes. A file or a folder of *.yaml / *.yml (not
 * recursive, so `policies/examples/` is not loaded by default).
 */
import { type FSWatcher, statSync, watch } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type LoadedPolicy, PolicyError, parsePolicy } from "./parse.js";

export { canonicalJson, type LoadedPolicy, PolicyError, parsePolicy, policyVersion } from "./parse.js";

const POLICY_FILE = /\.ya?ml$/i;

function toPolicyError(file: string, err: unknown): PolicyError {
  if (err instanceof PolicyError) return err;
  return new PolicyError(file, [`${file}: ${err instanceof Error ? err.message : String(err)}`]);
}

/** Reads and parses one policy file. Throws `PolicyError` (also for unreadable files). */
export async function loadPolicyFile(file: string): Promise<LoadedPolicy> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (err) {
    throw new PolicyError(file, [
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    ]);
  }
  return parsePolicy(source, file);
}

/**
 * Loads a policy file, or every *.yaml / *.yml directly inside a folder, keyed by policy id. All problems of all
 * files are reported together in one `PolicyError`; duplicate ids across files are an error.
 */
export async function loadPolicyDir(pathOrFile: string): Promise<Map<string, LoadedPolicy>> {
  let files: string[];
  try {
    const st = await stat(pathOrFile);
    files = st.isDirectory()
      ? (await readdir(pathOrFile, { withFileTypes: true }))
          .filter((e) => e.isFile() && POLICY_FILE.test(e.name))
          .map((e) => join(pathOrFile, e.name))
          .sort()
      : [pathOrFile];
  } catch (err) {
    throw toPolicyError(pathOrFile, new Error(`cannot read (${(err as NodeJS.ErrnoException).code ?? err})`));
  }
  const out = new Map<string, LoadedPolicy>();
  const issues: string[] = [];
  for (const file of files) {
    try {
      const p = await loadPolicyFile(file);
      const prev = out.get(p.id);
      if (prev) issues.push(`${file}: id: duplicate policy id "${p.id}" (also in ${prev.file})`);
      else out.set(p.id, p);
    } catch (err) {
      issues.push(...toPolicyError(file, err).issues);
    }
  }
  if (issues.length > 0) throw new PolicyError(pathOrFile, issues);
  return out;
}

function sameSet(a: Map<string, LoadedPolicy> | undefined, b: Map<string, LoadedPolicy>): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [id, p] of b) if (a.get(id)?.version !== p.version) return false;
  return true;
}

export interface WatchHandlers {
  onChange(set: Map<string, LoadedPolicy>): void;
  onError(err: PolicyError): void;
}

/**
 * Watches the path (fs.watch on the folder, debounced, so editors' rename-on-save is seen) and SIGHUP. On a
 * change that yields a different set of (id, version), calls `onChange`; SIGHUP always calls it. A broken file
 * calls `onError` and the caller keeps the old set. Returns stop().
 */
export function watchPolicies(
  path: string,
  handlers: WatchHandlers,
  opts: { debounceMs?: number } = {},
): () => void {
  const debounceMs = opts.debounceMs ?? 200;
  const abs = resolve(path);
  let last: Map<string, LoadedPolicy> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const reload = (force: boolean) => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const set = await loadPolicyDir(path);
        if (stopped) return;
        const changed = !sameSet(last, set);
        last = set;
        if (changed || force) handlers.onChange(set);
      } catch (err) {
        if (!stopped) handlers.onError(toPolicyError(path, err));
      }
    });
  };
  // Learn the current set first, so the first fs event is compared with what the caller already has.
  running = loadPolicyDir(path).then(
    (set) => {
      last = set;
    },
    () => {},
  );

  const schedule = (force: boolean) => {
    clearTimeout(timer);
    timer = setTimeout(() => reload(force), debounceMs);
  };
  let target: { dir: string; only: string | undefined };
  try {
    target = statSync(abs).isDirectory()
      ? { dir: abs, only: undefined }
      : { dir: dirname(abs), only: basename(abs) };
  } catch {
    target = { dir: dirname(abs), only: basename(abs) };
  }
  const { dir, only } = target;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      const n = name?.toString();
      const relevant = n === undefined || (only !== undefined ? n === only : POLICY_FILE.test(n));
      if (relevant) schedule(false);
    });
    watcher.on("error", (err) => handlers.onError(toPolicyError(path, err)));
  } catch (err) {
    queueMicrotask(() => handlers.onError(toPolicyError(path, err)));
  }
  const onHup = () => schedule(true);
  process.on("SIGHUP", onHup);

  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher?.close();
    process.off("SIGHUP", onHup);
  };
}
