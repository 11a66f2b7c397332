/**
 * `candor policy validate FILE|DIR…` and `candor policy test FILE|DIR…`: one clear line per policy or test,
 * a summary, and exit code 0 (all good) or 1 (anything failed, or bad usage).
 */
import { createPolicyEngine } from "../policy/engine.js";
import { type LoadedPolicy, loadPolicyDir, PolicyError } from "../policy/load.js";
import { runPolicyTests } from "../policy/test-runner.js";

export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const USAGE = [
  "usage: candor policy validate FILE|DIR [...]   check policy files (every problem, with file, rule and field)",
  "       candor policy test FILE|DIR [...]       run the test cases in each policy file",
].join("\n");

async function load(paths: string[], io: CommandIo): Promise<LoadedPolicy[] | null> {
  const all: LoadedPolicy[] = [];
  let ok = true;
  for (const path of paths) {
    try {
      all.push(...(await loadPolicyDir(path)).values());
    } catch (err) {
      ok = false;
      const issues = err instanceof PolicyError ? err.issues : [`${path}: ${String(err)}`];
      for (const line of issues) io.err(`error ${line}`);
    }
  }
  return ok ? all : null;
}

function validate(policies: LoadedPolicy[], io: CommandIo): number {
  for (const p of policies) {
    const engine = createPolicyEngine(p);
    const inactive = engine.inactiveRules.length;
    const note = inactive > 0 ? `; ${inactive} inactive until a judge is configured` : "";
    io.out(
      `ok    ${p.file}: policy ${p.id} v${p.version}, ${p.def.rules.length} rule(s), ${p.def.tests.length} test(s)${note}`,
    );
    for (const w of engine.warnings) io.out(`warn  ${p.file}: ${w}`);
  }
  if (policies.length === 0) io.out("no policy files found");
  return 0;
}

async function test(policies: LoadedPolicy[], io: CommandIo): Promise<number> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const p of policies) {
    if (p.def.tests.length === 0) io.out(`note  ${p.id}: no tests in ${p.file}`);
    for (const r of await runPolicyTests(p)) {
      if (r.skipped) {
        skipped++;
        io.out(`SKIP  ${p.id}: ${r.name} (${r.detail ?? "not configured"})`);
      } else if (r.pass) {
        passed++;
        io.out(`PASS  ${p.id}: ${r.name}`);
      } else {
        failed++;
        io.out(
          `FAIL  ${p.id}: ${r.name}: expected ${r.expected}, got ${r.got}${r.detail ? ` (${r.detail})` : ""}`,
        );
      }
    }
  }
  io.out(`policy tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed > 0 ? 1 : 0;
}

/** Runs `policy <validate|test> PATH…`; `args` excludes the leading "policy". Resolves to the exit code. */
export async function runPolicyCommand(args: string[], io: CommandIo): Promise<number> {
  const [sub, ...paths] = args;
  if ((sub !== "validate" && sub !== "test") || paths.length === 0) {
    io.err(
      sub === "help" || sub === "--help"
        ? USAGE
        : `candor policy: ${sub ? `unknown command "${sub}" or ` : ""}missing FILE|DIR\n${USAGE}`,
    );
    return 1;
  }
  const policies = await load(paths, io);
  if (!policies) return 1;
  return sub === "validate" ? validate(policies, io) : test(policies, io);
}
