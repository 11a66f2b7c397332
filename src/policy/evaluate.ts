/**
 * From detector findings to `RuleMatch`es: the action actually taken (on_error, escalation), the label, the
 * rendered explanation, and the redaction to apply. Shared by request screening and the streaming window, so
 * both decide alike.
 */
import type { CompiledRule, Finding } from "./compile.js";
import type { Span } from "./detectors/types.js";
import { DEFAULT_ERROR_EXPLANATIONS, DEFAULT_EXPLANATIONS, renderExplanation } from "./explain.js";
import { hazardFromCategory } from "./hazards.js";
import type { JsonStringMap } from "./json-strings.js";
import type { Redaction } from "./redact.js";
import type { Action, RuleMatch, Stage } from "./types.js";

export type SegmentKind = "text" | "json" | "thinking";

export interface SegmentContext {
  policyId: string;
  policyVersion: string;
  stage: Stage;
  kind: SegmentKind;
  messageIndex: number | null;
  blockIndex: number | null;
  path?: Array<string | number>;
  /** The examined text (for scrubbing matched text out of remote-supplied explanation parts). */
  text: string;
  /** For `json` segments: where the string values are. */
  json?: JsonStringMap;
}

export interface Decision {
  match: RuleMatch;
  /** Set when the match's action is redact. */
  redaction?: Redaction;
}

const THINKING_REASON = "thinking cannot be altered without breaking its signature";
const JSON_REASON = "the match is not inside a JSON string value, so a marker cannot replace it safely";

/** The action for a span after escalation: a redaction that cannot be applied safely becomes a block. */
export function escalate(
  action: Action,
  ctx: SegmentContext,
  span: Span,
): { action: Action; reason?: string } {
  if (action !== "redact") return { action };
  if (ctx.kind === "thinking") return { action: "block", reason: THINKING_REASON };
  if (ctx.kind === "json" && !ctx.json?.safeRange(span.start, span.end))
    return { action: "block", reason: JSON_REASON };
  return { action };
}

function explanation(
  rule: CompiledRule,
  ctx: SegmentContext,
  f: Finding,
  action: Action,
  count: number,
  label: string,
  span: Span,
  reason?: string,
): string {
  const err = f.result.error;
  const vars = {
    rule: rule.id,
    policy: ctx.policyId,
    version: ctx.policyVersion,
    count,
    label,
    hazard: rule.hazard,
    action,
    stage: ctx.stage,
    category: f.result.data?.category,
    error: err ? (err.kind === "timeout" ? "it timed out" : "it failed") : undefined,
  };
  const matched = ctx.text.slice(span.start, span.end);
  if (err) {
    const tpl = rule.def.explanation_on_error ?? DEFAULT_ERROR_EXPLANATIONS[rule.onError];
    return renderExplanation(tpl, vars, matched);
  }
  if (reason)
    return `${renderExplanation(DEFAULT_EXPLANATIONS.block, vars, matched)} It could not be hidden instead: ${reason}.`;
  return renderExplanation(rule.def.explanation ?? DEFAULT_EXPLANATIONS[action], vars, matched);
}

/**
 * One decision per span of a finding (one for an error, over `errorRegion` or the whole text). Actions:
 * the rule's own; for a failed detector `closed` acts as if matched and `open` is `allow`; then escalation.
 */
export function decideFinding(ctx: SegmentContext, f: Finding, errorRegion?: Span): Decision[] {
  const { rule, result } = f;
  const err = result.error;
  const spans: Span[] = err
    ? [errorRegion ?? { start: 0, end: ctx.text.length }]
    : (result.data?.spans ?? [{ start: 0, end: ctx.text.length }]);
  const category = err ? undefined : result.data?.category;
  const out: Decision[] = [];
  for (const span of spans) {
    const base: Action = err && rule.onError === "open" ? "allow" : rule.action;
    const { action, reason } = escalate(base, ctx, span);
    const label = rule.def.label ?? span.label ?? rule.defaultLabel;
    const match: RuleMatch = {
      policyId: ctx.policyId,
      policyVersion: ctx.policyVersion,
      ruleId: rule.id,
      detector: rule.def.detector.type,
      action,
      hazard: hazardFromCategory(category) ?? rule.hazard,
      ...(category === undefined ? {} : { category }),
      stage: ctx.stage,
      location: {
        messageIndex: ctx.messageIndex,
        blockIndex: ctx.blockIndex,
        start: span.start,
        end: span.end,
        ...(ctx.path ? { path: ctx.path } : {}),
      },
      label,
      explanation: explanation(rule, ctx, f, action, spans.length, label, span, reason),
      ...(err ? { detectorError: { ...err, failMode: rule.onError } } : {}),
      ...(reason ? { escalated: { from: base, reason } } : {}),
    };
    out.push(
      action === "redact" ? { match, redaction: { start: span.start, end: span.end, label } } : { match },
    );
  }
  return out;
}
