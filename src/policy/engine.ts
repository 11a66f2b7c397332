/**
 * The policy engine: screens whole requests (every message, not only the last) and creates output screens
 * for streamed responses. Built once per loaded policy; holds no per-request state.
 */
import { mapLimit, runAsyncDetector } from "./async-run.js";
import { type CompiledPolicy, compilePolicy, type EngineDeps, type Finding, type Lane } from "./compile.js";
import { type Decision, decideFinding, type SegmentContext } from "./evaluate.js";
import { extractSegments, type Segment, setAtPath } from "./extract.js";
import { jsonStringMap } from "./json-strings.js";
import { Lru } from "./lru.js";
import type { LoadedPolicy } from "./parse.js";
import { applyRedactions, type Redaction } from "./redact.js";
import {
  type Action,
  type MessagesRequestLike,
  maxAction,
  type OutputScreen,
  type Screening,
} from "./types.js";
import { createWindowScreen } from "./window.js";

export type { EngineDeps } from "./compile.js";

export interface PolicyEngine {
  readonly id: string;
  readonly version: string;
  readonly windowChars: number;
  /** Rules not in force, and why (e.g. judge rules when no judge is configured), for startup to say so. */
  readonly inactiveRules: Array<{ ruleId: string; reason: string }>;
  /** Configuration problems that do not stop the engine (e.g. a judge rule that will always fail). */
  readonly warnings: string[];
  /**
   * Input-side stages over the WHOLE conversation: system prompt (system), every user message block (input),
   * tool_result blocks (tool_result), assistant tool_use inputs in history (tool_use), assistant text in
   * history (output). Every content block type is examined (text, tool_result content, document text
   * sources; images are skipped but counted).
   */
  screenRequest(req: MessagesRequestLike, opts?: { signal?: AbortSignal }): Promise<Screening>;
  /** Streaming output screen for one response. */
  createOutputScreen(opts?: { signal?: AbortSignal }): OutputScreen;
}

/** Async checks of one request running at once (they are network calls). */
const ASYNC_CONCURRENCY = 8;
/**
 * Sync findings per (lane, text) are remembered: every request resends the conversation's history, so without
 * this each turn would rescan all earlier messages. Bounded by entries and by total characters (~16 MB).
 */
const SYNC_CACHE = { entries: 4096, chars: 8_000_000 };

function laneOf(seg: Segment): Lane {
  return seg.kind === "thinking" ? "thinking" : seg.stage;
}

function contextOf(policy: LoadedPolicy, seg: Segment): SegmentContext {
  return {
    policyId: policy.id,
    policyVersion: policy.version,
    stage: seg.stage,
    kind: seg.kind,
    messageIndex: seg.messageIndex,
    blockIndex: seg.blockIndex,
    path: seg.path,
    text: seg.text,
    ...(seg.kind === "json" ? { json: jsonStringMap(seg.text) } : {}),
  };
}

type SyncCache = Lru<string, Finding[]>;

function syncFindings(compiled: CompiledPolicy, cache: SyncCache, seg: Segment): Finding[] {
  const lane = laneOf(seg);
  const key = `${lane}\u0000${seg.text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const found = compiled.lanes[lane].scanSync(seg.text, compiled.byIndex);
  cache.set(key, found);
  return found;
}

async function findAll(
  compiled: CompiledPolicy,
  cache: SyncCache,
  segments: Segment[],
  signal?: AbortSignal,
): Promise<Finding[][]> {
  // A copy per segment: async findings are appended to it, the cached list stays as the sync scan left it.
  const found: Finding[][] = segments.map((seg) => [...syncFindings(compiled, cache, seg)]);
  const tasks: Array<() => Promise<void>> = [];
  segments.forEach((seg, i) => {
    for (const rule of compiled.lanes[laneOf(seg)].async) {
      tasks.push(async () => {
        const result = await runAsyncDetector(
          rule.detector,
          seg.text,
          { ruleId: rule.id, stage: seg.stage },
          signal,
        );
        if (result.verdict === "match" || result.error) found[i]?.push({ rule, result });
      });
    }
  });
  await mapLimit(tasks, ASYNC_CONCURRENCY);
  return found;
}

function redactedValue(seg: Segment, reds: Redaction[]): unknown {
  const text = applyRedactions(seg.text, reds, { json: seg.kind === "json" });
  return seg.kind === "json" ? JSON.parse(text) : text;
}

export function createPolicyEngine(policy: LoadedPolicy, deps: EngineDeps = {}): PolicyEngine {
  const compiled = compilePolicy(policy, deps);
  const windowChars = policy.def.window_chars;
  const cache: SyncCache = new Lru(deps.syncCache === false ? 0 : SYNC_CACHE.entries, {
    weigh: (k) => k.length,
    maxWeight: SYNC_CACHE.chars,
  });
  return {
    id: policy.id,
    version: policy.version,
    windowChars,
    inactiveRules: compiled.inactiveRules,
    warnings: compiled.warnings,

    async screenRequest(req, opts = {}) {
      const { segments, skipped } = extractSegments(req);
      const found = await findAll(compiled, cache, segments, opts.signal);
      let action: Action = "allow";
      const matches: Screening["matches"] = [];
      const edits: Array<{ seg: Segment; reds: Redaction[] }> = [];
      segments.forEach((seg, i) => {
        const ctx = contextOf(policy, seg);
        const decisions: Decision[] = (found[i] ?? []).flatMap((f) => decideFinding(ctx, f));
        const reds: Redaction[] = [];
        for (const d of decisions) {
          matches.push(d.match);
          action = maxAction(action, d.match.action);
          if (d.redaction) reds.push(d.redaction);
        }
        if (reds.length > 0) edits.push({ seg, reds });
      });
      if (edits.length === 0) return { action, matches, request: req, changed: false, skipped };
      const copy = structuredClone(req);
      for (const { seg, reds } of edits) setAtPath(copy, seg.path, redactedValue(seg, reds));
      return { action, matches, request: copy, changed: true, skipped };
    },

    createOutputScreen(opts = {}) {
      return createWindowScreen({
        policy,
        compiled,
        windowChars,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    },
  };
}
