/**
 * User-facing explanations of intervention records. A locale is a table of message functions
 * ({@link LocaleMessages}); `explain` picks one (falling back to English) and assembles the parts.
 *
 * What may reach the text is decided here, not by each locale: locales receive an {@link ExplainFacts}
 * built from whitelisted, pattern-checked fields only. `error.message`, content hashes, tenant/session
 * ids and free-form facts never get that far, so no locale can leak them.
 */
import { type Cause, type CauseInfo, causeInfo, findHazard, type Hazard } from "./causes.js";
import { EN } from "./explain-en.js";
import type { InterventionRecord } from "./record.js";

export interface Explanation {
  locale: string;
  title: string;
  /** the full paragraph */
  text: string;
  parts: {
    which: string;
    what: string;
    who: string;
    why: string;
    automated: string;
    recoverable: string;
    next: string;
    appeal: string | null;
    reference: string;
  };
}

export interface AppealOutcome {
  decision: "upheld" | "reversed";
  reason: string;
  decidedAt: string;
}

/** The only facts a locale sees: everything here is safe to show to the end user. */
export interface ExplainFacts {
  id: string;
  cause: Cause;
  info: CauseInfo;
  createdAt: string;
  role: InterventionRecord["content"]["role"];
  blockIndex: number | null;
  start: number | null;
  end: number | null;
  rule: {
    policyId: string;
    policyVersion: string;
    ruleId: string;
    label: string | null;
    hazard: Hazard | null;
  } | null;
  ruleExplanation: string | null;
  /** Upstream error type / HTTP status / provider request id; null when absent or not token-shaped. */
  errorType: string | null;
  errorStatus: number | null;
  upstreamRequestId: string | null;
  automatedDecision: boolean;
  recoverable: InterventionRecord["recoverable"];
  appealDeadline: string | null;
  appealable: boolean;
  /** facts.words_received, facts.refusal_category, facts.retention_days when well-formed */
  wordsReceived: number | null;
  refusalCategory: string | null;
  retentionDays: number | null;
  appealOutcome: AppealOutcome | null;
}

export interface LocaleMessages {
  title(f: ExplainFacts): string;
  which(f: ExplainFacts): string;
  what(f: ExplainFacts): string;
  who(f: ExplainFacts): string;
  why(f: ExplainFacts): string;
  automated(f: ExplainFacts): string;
  recoverable(f: ExplainFacts): string;
  next(f: ExplainFacts): string;
  appeal(f: ExplainFacts): string | null;
  reference(f: ExplainFacts): string;
}

const LOCALES: Readonly<Record<string, LocaleMessages>> = { en: EN };

export const SUPPORTED_LOCALES: readonly string[] = Object.keys(LOCALES);

/** "de-AT" → "de-AT" if supported, else "de" if supported, else "en". */
function resolveLocale(requested: string | undefined): string {
  if (requested === undefined) return "en";
  const lower = requested.toLowerCase();
  if (LOCALES[lower]) return lower;
  const language = lower.split(/[-_]/)[0] ?? "";
  return LOCALES[language] ? language : "en";
}

// Upstream-supplied strings are shown only when they look like identifiers: anything else could be
// an internal message, a stack line or injected text.
const TOKEN = /^[A-Za-z0-9_.:-]{1,128}$/;

function token(value: string | null | undefined): string | null {
  return typeof value === "string" && TOKEN.test(value) ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function oneLine(value: string | undefined | null): string | null {
  if (typeof value !== "string") return null;
  const line = value.replace(/\s+/g, " ").trim();
  return line.length > 0 ? line : null;
}

function factsOf(record: InterventionRecord, outcome: AppealOutcome | null): ExplainFacts {
  const { rule, error, content, facts } = record;
  return {
    id: record.id,
    cause: record.cause,
    info: causeInfo(record.cause),
    createdAt: record.createdAt,
    role: content.role,
    blockIndex: count(content.blockIndex),
    start: count(content.start),
    end: count(content.end),
    rule: rule
      ? {
          policyId: rule.policyId,
          policyVersion: rule.policyVersion,
          ruleId: rule.ruleId,
          label: oneLine(rule.label),
          hazard: findHazard(rule.hazard) ?? (rule.category ? (findHazard(rule.category) ?? null) : null),
        }
      : null,
    ruleExplanation: oneLine(record.ruleExplanation),
    errorType: token(error?.type),
    errorStatus: count(error?.status),
    upstreamRequestId: token(error?.upstreamRequestId),
    automatedDecision: record.automatedDecision,
    recoverable: record.recoverable,
    appealDeadline: record.redress.deadline,
    appealable: record.redress.appealable,
    wordsReceived: count(facts?.words_received),
    refusalCategory: token(typeof facts?.refusal_category === "string" ? facts.refusal_category : null),
    retentionDays: count(facts?.retention_days),
    appealOutcome: outcome ? { ...outcome, reason: oneLine(outcome.reason) ?? "" } : null,
  };
}

/**
 * Explain a record to the end user: which content, what happened, who acted (our filter, the model's
 * provider, an error, the app, the user), why, whether automated, what is recoverable, what to do
 * next, how to appeal (only where appealable) and a reference. Never includes withheld content,
 * error messages or internal ids.
 */
export function explain(
  record: InterventionRecord,
  opts?: { locale?: string; appealOutcome?: AppealOutcome },
): Explanation {
  const locale = resolveLocale(opts?.locale);
  const messages = LOCALES[locale] ?? EN;
  const f = factsOf(record, opts?.appealOutcome ?? null);
  const parts: Explanation["parts"] = {
    which: messages.which(f),
    what: messages.what(f),
    who: messages.who(f),
    why: messages.why(f),
    automated: messages.automated(f),
    recoverable: messages.recoverable(f),
    next: messages.next(f),
    appeal: messages.appeal(f),
    reference: messages.reference(f),
  };
  const text = [
    parts.which,
    parts.what,
    parts.who,
    parts.why,
    parts.automated,
    parts.recoverable,
    parts.next,
    parts.appeal,
    parts.reference,
  ]
    .filter((p): p is string => p !== null && p.length > 0)
    .join(" ");
  return { locale, title: messages.title(f), text, parts };
}
