/**
 * Runs a policy's own `tests:`. Input-side stages go through `screenRequest` on a one-message request; output
 * stages go through an output screen, once as a single delta and once in small deltas, and both must agree
 * (so a test also proves the streaming window catches what the whole-text check catches).
 */
import { createPolicyEngine, type EngineDeps, type PolicyEngine } from "./engine.js";
import type { LoadedPolicy } from "./parse.js";
import type { TestDef } from "./schema.js";
import { type Action, type BlockKind, type MessagesRequestLike, maxAction, type RuleMatch } from "./types.js";

export interface PolicyTestResult {
  name: string;
  pass: boolean;
  expected: Action;
  got: Action;
  detail?: string;
  /** The test needs something not configured (e.g. a judge); it did not run. */
  skipped?: boolean;
}

interface Outcome {
  action: Action;
  matches: RuleMatch[];
  text: string;
}

const STREAM_DELTA = 7;

function requestFor(t: TestDef): { req: MessagesRequestLike; read(r: MessagesRequestLike): string } {
  switch (t.stage) {
    case "system":
      return { req: { system: t.text, messages: [] }, read: (r) => String(r.system) };
    case "tool_result":
      return {
        req: {
          messages: [
            { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_test", content: t.text }] },
          ],
        },
        read: (r) =>
          String((r.messages[0]?.content as Array<{ content: unknown }> | undefined)?.[0]?.content),
      };
    case "tool_use": {
      let input: unknown;
      try {
        input = JSON.parse(t.text);
      } catch {
        input = { text: t.text };
      }
      const block = { type: "tool_use", id: "toolu_test", name: "test_tool", input };
      return {
        req: { messages: [{ role: "assistant", content: [block] }] },
        read: (r) =>
          JSON.stringify((r.messages[0]?.content as Array<{ input: unknown }> | undefined)?.[0]?.input),
      };
    }
    default:
      return {
        req: { messages: [{ role: "user", content: t.text }] },
        read: (r) => String(r.messages[0]?.content),
      };
  }
}

async function viaRequest(engine: PolicyEngine, t: TestDef): Promise<Outcome> {
  const { req, read } = requestFor(t);
  const s = await engine.screenRequest(req);
  return { action: s.action, matches: s.matches, text: read(s.request) };
}

async function viaStream(
  engine: PolicyEngine,
  kind: BlockKind,
  text: string,
  delta: number,
): Promise<Outcome> {
  const screen = engine.createOutputScreen();
  let out = "";
  let action: Action = "allow";
  const matches: RuleMatch[] = [];
  for (let i = 0; i < text.length; i += delta) {
    const step = screen.push(0, kind, text.slice(i, i + delta));
    out += step.release;
    matches.push(...step.matches);
    if (step.block) return { action: "block", matches, text: out };
  }
  const last = await screen.end(0);
  out += last.release;
  matches.push(...last.matches);
  for (const m of matches) action = maxAction(action, m.action);
  return { action: last.block ? "block" : action, matches, text: out };
}

function streamKind(t: TestDef): BlockKind | null {
  if (t.kind) return t.kind;
  return t.stage === "output" ? "text" : null;
}

function describeMatches(ms: RuleMatch[]): string {
  return ms.length === 0
    ? "no rule matched"
    : `matched ${ms.map((m) => `${m.ruleId}→${m.action}`).join(", ")}`;
}

function check(t: TestDef, o: Outcome): string | undefined {
  const problems: string[] = [];
  if (o.action !== t.expect) problems.push(describeMatches(o.matches));
  const missing = (t.rules ?? []).filter((r) => !o.matches.some((m) => m.ruleId === r));
  if (missing.length > 0)
    problems.push(`expected rule(s) ${missing.join(", ")} to match; ${describeMatches(o.matches)}`);
  if (t.redacted !== undefined && o.text !== t.redacted) {
    problems.push(
      `text after screening was ${JSON.stringify(o.text)}, expected ${JSON.stringify(t.redacted)}`,
    );
  }
  return problems.length > 0 ? problems.join("; ") : undefined;
}

async function runOne(engine: PolicyEngine, t: TestDef): Promise<{ got: Action; detail?: string }> {
  const kind = streamKind(t);
  if (!kind) {
    const o = await viaRequest(engine, t);
    const detail = check(t, o);
    return detail === undefined ? { got: o.action } : { got: o.action, detail };
  }
  const whole = await viaStream(engine, kind, t.text, Math.max(1, t.text.length));
  const detail = check(t, whole);
  if (detail !== undefined) return { got: whole.action, detail };
  const split = await viaStream(engine, kind, t.text, STREAM_DELTA);
  if (split.action !== whole.action || (t.redacted !== undefined && split.text !== whole.text)) {
    return {
      got: whole.action,
      detail: `streamed in ${STREAM_DELTA}-char deltas it gave ${split.action} (${describeMatches(split.matches)})`,
    };
  }
  return { got: whole.action };
}

function testName(t: TestDef, i: number): string {
  if (t.name) return t.name;
  const preview = t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text;
  return `tests[${i}] ${JSON.stringify(preview)}`;
}

/** Runs every test case of the policy; tests needing an unconfigured judge are reported as skipped. */
export async function runPolicyTests(
  policy: LoadedPolicy,
  deps: EngineDeps = {},
): Promise<PolicyTestResult[]> {
  const engine = createPolicyEngine(policy, deps);
  const out: PolicyTestResult[] = [];
  for (const [i, t] of policy.def.tests.entries()) {
    const name = testName(t, i);
    if (t.enabled_if === "judge" && !deps.judge) {
      out.push({
        name,
        pass: true,
        skipped: true,
        expected: t.expect,
        got: t.expect,
        detail: "needs an LLM judge",
      });
      continue;
    }
    const r = await runOne(engine, t);
    out.push({
      name,
      pass: r.detail === undefined,
      expected: t.expect,
      got: r.got,
      ...(r.detail ? { detail: r.detail } : {}),
    });
  }
  return out;
}
