/** Test helpers for the policy engine: policies from plain objects, fake fetches, stream drivers. */
import Anthropic from "@anthropic-ai/sdk";
import { stringify } from "yaml";
import { type LoadedPolicy, parsePolicy } from "../../src/policy/load.js";
import type { BlockKind, OutputScreen, RuleMatch } from "../../src/policy/types.js";

/** A policy from a plain object (serialised to YAML and parsed like a file). */
export function policyOf(def: Record<string, unknown>, file = "test.yaml"): LoadedPolicy {
  return parsePolicy(stringify({ id: "test", ...def }), file);
}

/** One rule with sensible defaults. */
export function rule(fields: Record<string, unknown>): Record<string, unknown> {
  return { id: "r1", stages: ["input", "output"], hazard: "custom", action: "block", ...fields };
}

export type FetchFn = typeof fetch;

/** A fetch that answers every call with `handler(bodyJson)` and records the bodies it saw. */
export function fakeFetch(
  handler: (body: unknown, init?: RequestInit) => Promise<Response> | Response,
): FetchFn & {
  calls: unknown[];
} {
  const calls: unknown[] = [];
  const f = (async (_input: unknown, init?: RequestInit) => {
    const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push(body);
    return handler(body, init);
  }) as FetchFn & { calls: unknown[] };
  f.calls = calls;
  return f;
}

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}

/** Never answers until aborted (then rejects like fetch does). */
export function hang(init?: RequestInit): Promise<Response> {
  return new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });
}

/** An Anthropic Messages reply whose text is `text`. */
export function messageReply(text: string): Response {
  return json({
    id: "msg_test",
    type: "message",
    role: "assistant",
    model: "judge-test",
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  });
}

/** An Anthropic client over a fake fetch. */
export function judgeClient(fetchFn: FetchFn): Anthropic {
  return new Anthropic({ apiKey: "test-key", baseURL: "http://judge.test", fetch: fetchFn, maxRetries: 0 });
}

/** Feeds `chunks` to a screen and ends the block; returns everything released and all matches. */
export async function stream(
  screen: OutputScreen,
  chunks: string[],
  kind: BlockKind = "text",
  index = 0,
): Promise<{ released: string; matches: RuleMatch[]; blocked: boolean; steps: string[] }> {
  let released = "";
  const matches: RuleMatch[] = [];
  const steps: string[] = [];
  for (const c of chunks) {
    const s = screen.push(index, kind, c);
    released += s.release;
    steps.push(s.release);
    matches.push(...s.matches);
    if (s.block) return { released, matches, blocked: true, steps };
  }
  const e = await screen.end(index);
  released += e.release;
  steps.push(e.release);
  matches.push(...e.matches);
  return { released, matches, blocked: e.block, steps };
}

/** Splits text into pieces of `n` characters. */
export function chunks(text: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}
