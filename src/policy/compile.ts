/**
 * Turns a loaded policy into rules with ready detectors, grouped by lane (stage, plus streamed thinking).
 * Regex and keyword rules of a lane are merged into one index each, so a lane's sync scan costs about one
 * pass over the text however many such rules it has.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { createClassifierDetector } from "./detectors/classifier.js";
import { createKeywordsDetector, KeywordIndex } from "./detectors/keywords.js";
import { createJudgeDetector } from "./detectors/llm-judge.js";
import { createPiiDetector } from "./detectors/pii.js";
import { createRegexDetector, RegexIndex } from "./detectors/regex.js";
import { createSecretsDetector } from "./detectors/secrets.js";
import type { AsyncDetector, Detector, DetectorResult, Span, SyncDetector } from "./detectors/types.js";
import { createWebhookDetector } from "./detectors/webhook.js";
import { HAZARD_NAMES } from "./hazards.js";
import { HoldIndex, isGating } from "./hold.js";
import { Lru } from "./lru.js";
import type { LoadedPolicy } from "./parse.js";
import type { KeywordsDef, RegexDef, RuleDef } from "./schema.js";
import type { Action, FailMode, Stage } from "./types.js";

/** What the engine needs from outside; network detectors get their clients here (never from globals). */
export interface EngineDeps {
  judge?: { client: Anthropic; model: string };
  fetch?: typeof fetch;
  /** Remember sync findings per text across requests (default true; benchmarks turn it off to measure scans). */
  syncCache?: boolean;
  /** Clock, reserved for time-based rules (unused today). */
  now?: () => number;
}

export interface CompiledRule {
  index: number;
  id: string;
  def: RuleDef;
  action: Action;
  hazard: string;
  onError: FailMode;
  /** Used when neither the rule nor the detector's span gives a label. */
  defaultLabel: string;
  detector: Detector;
}

/** A lane is a stage, or streamed/history thinking (rules with `thinking: true`). */
export type Lane = Stage | "thinking";

export interface Finding {
  rule: CompiledRule;
  result: DetectorResult;
}

function defaultLabel(def: RuleDef): string {
  switch (def.detector.type) {
    case "keywords":
      return "keyword";
    case "regex":
      return "pattern";
    case "pii":
      return "personal data";
    case "secrets":
      return "secret";
    default:
      // Judges and classifiers judge whole texts: name the hazard when it is a safety code.
      return def.hazard.startsWith("S") ? (HAZARD_NAMES[def.hazard] ?? def.hazard).toLowerCase() : "content";
  }
}

function buildDetector(
  def: RuleDef,
  deps: EngineDeps,
  cache: Lru<string, Promise<DetectorResult>>,
): Detector {
  const d = def.detector;
  const fetchFn = deps.fetch ?? globalThis.fetch;
  switch (d.type) {
    case "keywords":
      return createKeywordsDetector(d);
    case "regex":
      return createRegexDetector(d);
    case "pii":
      return createPiiDetector(d);
    case "secrets":
      return createSecretsDetector(d);
    case "llm_judge":
      return createJudgeDetector(
        { id: def.id, hazard: def.hazard, description: def.description },
        d,
        deps.judge,
        cache,
      );
    case "classifier":
      return createClassifierDetector(d, fetchFn);
    case "webhook":
      return createWebhookDetector(d, fetchFn);
  }
}

/** The sync rules of one lane, scanned together, plus its async rules (run on whole texts). */
export class LaneScanner {
  readonly sync: CompiledRule[];
  readonly async: Array<CompiledRule & { detector: AsyncDetector }>;
  private readonly regex: RegexIndex;
  private readonly keywords: KeywordIndex;
  private readonly others: Array<CompiledRule & { detector: SyncDetector }>;

  /** Where streamed text may be released: the hold over the rules that redact or block. */
  readonly gateHold: HoldIndex;
  /** Where every sync rule's matches are final (non-gating matches are reported up to here). */
  readonly settleHold: HoldIndex;

  constructor(rules: CompiledRule[]) {
    this.sync = rules.filter((r) => r.detector.mode === "sync");
    this.async = rules.filter(
      (r): r is CompiledRule & { detector: AsyncDetector } => r.detector.mode === "async",
    );
    const parts = partition(this.sync);
    [this.regex, this.keywords, this.others] = [parts.regex, parts.keywords, parts.others];
    const otherDetectors = this.others.map((r) => r.detector);
    this.settleHold = new HoldIndex(this.regex, this.keywords, otherDetectors, false);
    const gating = this.sync.filter(isGating);
    if (this.async.some(isGating)) {
      // Async rules judge whole blocks at their end: keep the full window so a short block can still be redacted.
      this.gateHold = new HoldIndex(this.regex, this.keywords, otherDetectors, true);
    } else if (gating.length === this.sync.length) this.gateHold = this.settleHold;
    else {
      const g = partition(gating);
      this.gateHold = new HoldIndex(
        g.regex,
        g.keywords,
        g.others.map((r) => r.detector),
        false,
      );
    }
  }

  get hasSync(): boolean {
    return this.sync.length > 0;
  }

  /** Matches and errors of every sync rule of the lane on `text` (no-match results are left out). */
  scanSync(text: string, byIndex: ReadonlyMap<number, CompiledRule>): Finding[] {
    const out: Finding[] = [];
    for (const index of [this.regex, this.keywords]) {
      if (index.empty) continue;
      let found: Map<number, Span[]>;
      try {
        found = index.scan(text);
      } catch (err) {
        // An index failing fails each of its rules, so each rule's on_error applies.
        for (const r of this.sync) {
          if (r.def.detector.type === (index === this.regex ? "regex" : "keywords"))
            out.push({ rule: r, result: threw(err) });
        }
        continue;
      }
      for (const [key, spans] of found) {
        const rule = byIndex.get(key);
        if (rule) out.push({ rule, result: { verdict: "match", data: { spans } } });
      }
    }
    for (const r of this.others) {
      let result: DetectorResult;
      try {
        result = r.detector.scan(text);
      } catch (err) {
        result = threw(err);
      }
      if (result.verdict === "match" || result.error) out.push({ rule: r, result });
    }
    return out;
  }
}

/** Sync rules split into one merged regex index, one merged keyword index, and the other detectors. */
function partition(sync: CompiledRule[]): {
  regex: RegexIndex;
  keywords: KeywordIndex;
  others: Array<CompiledRule & { detector: SyncDetector }>;
} {
  const regex: Array<{ key: number; def: RegexDef }> = [];
  const keywords: Array<{ key: number; def: KeywordsDef }> = [];
  const others: Array<CompiledRule & { detector: SyncDetector }> = [];
  for (const r of sync) {
    const d = r.def.detector;
    if (d.type === "regex") regex.push({ key: r.index, def: d });
    else if (d.type === "keywords") keywords.push({ key: r.index, def: d });
    else others.push(r as CompiledRule & { detector: SyncDetector });
  }
  return { regex: new RegexIndex(regex), keywords: new KeywordIndex(keywords), others };
}

export function threw(err: unknown): DetectorResult {
  return {
    verdict: "no_match",
    error: { kind: "threw", message: err instanceof Error ? err.message : String(err) },
  };
}

export interface CompiledPolicy {
  rules: CompiledRule[];
  byIndex: Map<number, CompiledRule>;
  lanes: Record<Lane, LaneScanner>;
  inactiveRules: Array<{ ruleId: string; reason: string }>;
  warnings: string[];
}

const LANES: Lane[] = ["input", "output", "system", "tool_use", "tool_result", "thinking"];

/** Rules of the policy that are active under `deps`, with detectors built and lanes indexed. */
export function compilePolicy(policy: LoadedPolicy, deps: EngineDeps): CompiledPolicy {
  const cache = new Lru<string, Promise<DetectorResult>>(2000);
  const rules: CompiledRule[] = [];
  const inactiveRules: Array<{ ruleId: string; reason: string }> = [];
  const warnings: string[] = [];
  policy.def.rules.forEach((def, index) => {
    if (def.enabled_if === "judge" && !deps.judge) {
      inactiveRules.push({
        ruleId: def.id,
        reason: "needs an LLM judge (enabled_if: judge) and none is configured",
      });
      return;
    }
    if (def.detector.type === "llm_judge" && !deps.judge) {
      warnings.push(
        `rule ${def.id}: llm_judge with no judge configured: every check fails (on_error: ${def.on_error})`,
      );
    }
    const detector = buildDetector(def, deps, cache);
    rules.push({
      index,
      id: def.id,
      def,
      action: def.action,
      hazard: def.hazard,
      onError: def.on_error,
      defaultLabel: defaultLabel(def),
      detector,
    });
  });
  const inLane = (lane: Lane) =>
    rules.filter((r) => (lane === "thinking" ? r.def.thinking : r.def.stages.includes(lane)));
  const lanes = Object.fromEntries(LANES.map((l) => [l, new LaneScanner(inLane(l))])) as Record<
    Lane,
    LaneScanner
  >;
  return { rules, byIndex: new Map(rules.map((r) => [r.index, r])), lanes, inactiveRules, warnings };
}
