/**
 * The cause taxonomy: every intervention or loss Candor records has exactly one cause, and the cause
 * decides who acted, whether it was a safety decision, whether it is automated and whether it can be
 * appealed. This table is the single place those facts live; records, explanations and exports read it.
 */

export const CAUSES = [
  "policy_block",
  "policy_redact",
  "policy_warn",
  "policy_flag",
  "policy_check_failed",
  "upstream_refusal",
  "upstream_overloaded",
  "upstream_error",
  "quota_or_billing",
  "request_rejected",
  "length_limit",
  "context_limit",
  "client_disconnect",
  "client_deletion",
  "user_deletion",
  "proxy_error",
  "proxy_crash",
  "shutdown",
  "retention_expiry",
  "erasure",
  "appeal_reversed",
  "appeal_upheld",
] as const;

export type Cause = (typeof CAUSES)[number];

export type Actor =
  | "proxy_policy"
  | "upstream_model"
  | "upstream_platform"
  | "client"
  | "user"
  | "proxy"
  | "operator"
  | "moderator";

export type DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT" | "DECISION_GROUND_INCOMPATIBLE_CONTENT";

/**
 * What a cause means.
 * - `safetyDecision`: a content restriction decided by *this service* (our policy or our moderators) —
 *   exactly the decisions that need a DSA statement of reasons. A provider's refusal is the provider's
 *   decision, not ours, so it is not one; errors and deletions are not decisions at all.
 * - `automated`: no person was involved in the decision or event.
 * - `decisionVisibility`: DSA `decision_visibility` values (empty/undefined: nothing was restricted).
 */
export interface CauseInfo {
  actor: Actor;
  safetyDecision: boolean;
  automated: boolean;
  appealable: boolean;
  decisionGround?: DecisionGround;
  decisionVisibility?: string[];
}

const INCOMPATIBLE: DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT";
const DISABLED = ["DECISION_VISIBILITY_CONTENT_DISABLED"];

/** A technical event of the given actor: not a decision, not appealable. */
function event(actor: Actor, automated = true): CauseInfo {
  return { actor, safetyDecision: false, automated, appealable: false };
}

function policyDecision(visibility: string[]): CauseInfo {
  return {
    actor: "proxy_policy",
    safetyDecision: true,
    automated: true,
    appealable: true,
    decisionGround: INCOMPATIBLE,
    decisionVisibility: visibility,
  };
}

const CAUSE_TABLE: Record<Cause, CauseInfo> = {
  // Withheld text is kept (moderators only), so access is disabled rather than the content removed.
  policy_block: policyDecision(DISABLED),
  policy_redact: policyDecision(DISABLED),
  policy_warn: policyDecision(["DECISION_VISIBILITY_CONTENT_LABELLED"]),
  // A flag changes nothing the user sees: no restriction, nothing to appeal, nothing to report.
  policy_flag: { actor: "proxy_policy", safetyDecision: false, automated: true, appealable: false },
  // Fail-closed: the content was held back because a check could not run. Still our restriction.
  policy_check_failed: policyDecision(DISABLED),
  upstream_refusal: event("upstream_model"),
  upstream_overloaded: event("upstream_platform"),
  upstream_error: event("upstream_platform"),
  quota_or_billing: event("upstream_platform"),
  request_rejected: event("upstream_platform"),
  length_limit: event("upstream_model"),
  context_limit: event("upstream_model"),
  client_disconnect: event("client"),
  client_deletion: event("client", false),
  user_deletion: event("user", false),
  proxy_error: event("proxy"),
  proxy_crash: event("proxy"),
  shutdown: event("proxy"),
  retention_expiry: event("operator"),
  erasure: event("operator", false),
  appeal_reversed: event("moderator", false),
  // A person confirmed the restriction: a (non-automated) decision of ours; internal appeal is used up.
  appeal_upheld: {
    actor: "moderator",
    safetyDecision: true,
    automated: false,
    appealable: false,
    decisionGround: INCOMPATIBLE,
    decisionVisibility: DISABLED,
  },
};

/** The facts of a cause (a fresh copy: callers may mutate it). */
export function causeInfo(cause: Cause): CauseInfo {
  const info = CAUSE_TABLE[cause];
  return { ...info, decisionVisibility: info.decisionVisibility ? [...info.decisionVisibility] : undefined };
}

/** True when `value` is one of {@link CAUSES}. */
export function isCause(value: unknown): value is Cause {
  return typeof value === "string" && (CAUSES as readonly string[]).includes(value);
}

const ERROR_TYPE_CAUSE: Record<string, Cause> = {
  overloaded_error: "upstream_overloaded",
  rate_limit_error: "quota_or_billing",
  billing_error: "quota_or_billing",
  invalid_request_error: "request_rejected",
  request_too_large: "request_rejected",
  authentication_error: "request_rejected",
  permission_error: "request_rejected",
  not_found_error: "request_rejected",
  api_error: "upstream_error",
  timeout_error: "upstream_error",
};

/**
 * Map an upstream failure to a cause from its HTTP status and Anthropic error type. The error type wins
 * when known (it is more specific than the status); `null` status means the connection itself failed.
 * E.g. 529/overloaded_error → upstream_overloaded, 429 rate_limit_error / 402 billing_error →
 * quota_or_billing, 400/413 invalid_request_error → request_rejected, 5xx api_error → upstream_error.
 */
export function causeForUpstreamError(status: number | null, errorType: string | null): Cause {
  const byType = errorType ? ERROR_TYPE_CAUSE[errorType] : undefined;
  if (byType) return byType;
  if (status === 529) return "upstream_overloaded";
  if (status === 429 || status === 402) return "quota_or_billing";
  if (status !== null && status >= 400 && status < 500 && status !== 408) return "request_rejected";
  return "upstream_error";
}

/** Map a Messages API `stop_reason` to a cause; normal endings (end_turn, tool_use, …) give null. */
export function causeForStopReason(stopReason: string | null): Cause | null {
  switch (stopReason) {
    case "refusal":
      return "upstream_refusal";
    case "max_tokens":
      return "length_limit";
    case "model_context_window_exceeded":
      return "context_limit";
    default:
      return null;
  }
}

/** A hazard of the MLCommons AILuminate / Llama Guard 3 taxonomy, with its DSA category. */
export interface Hazard {
  code: string;
  name: string;
  dsaCategory: string;
}

const OTHER_TC = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC";

/**
 * Hazard codes S1–S14 plus Candor's own `privacy` and `secrets`. DSA categories follow the Transparency
 * Database API v2 schema (July 2025); hazards with no specific category map to OTHER_VIOLATION_TC
 * (a breach of the operator's terms), e.g. S12 since v2 dropped the pornography category.
 */
export const HAZARDS: readonly Hazard[] = [
  { code: "S1", name: "Violent Crimes", dsaCategory: "STATEMENT_CATEGORY_VIOLENCE" },
  { code: "S2", name: "Non-Violent Crimes", dsaCategory: "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY" },
  { code: "S3", name: "Sex-Related Crimes", dsaCategory: "STATEMENT_CATEGORY_VIOLENCE" },
  { code: "S4", name: "Child Sexual Exploitation", dsaCategory: "STATEMENT_CATEGORY_PROTECTION_OF_MINORS" },
  { code: "S5", name: "Defamation", dsaCategory: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" },
  { code: "S6", name: "Specialized Advice", dsaCategory: OTHER_TC },
  { code: "S7", name: "Privacy", dsaCategory: "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS" },
  {
    code: "S8",
    name: "Intellectual Property",
    dsaCategory: "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
  },
  { code: "S9", name: "Indiscriminate Weapons", dsaCategory: "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY" },
  { code: "S10", name: "Hate", dsaCategory: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" },
  { code: "S11", name: "Suicide & Self-Harm", dsaCategory: "STATEMENT_CATEGORY_SELF_HARM" },
  { code: "S12", name: "Sexual Content", dsaCategory: OTHER_TC },
  {
    code: "S13",
    name: "Elections",
    dsaCategory: "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
  },
  { code: "S14", name: "Code Interpreter Abuse", dsaCategory: OTHER_TC },
  {
    code: "privacy",
    name: "Privacy",
    dsaCategory: "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
  },
  {
    code: "secrets",
    name: "Secrets",
    dsaCategory: "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
  },
];

/**
 * Find a hazard by code, tolerating the spellings detectors produce: "S1", "s1", "S1: Violent Crimes",
 * "PRIVACY". Unknown or custom hazards give undefined.
 */
export function findHazard(hazard: string): Hazard | undefined {
  const code = /^\s*(s\d{1,2}|privacy|secrets)\b/i.exec(hazard)?.[1];
  if (!code) return undefined;
  const normal = /^s/i.test(code) && /\d/.test(code) ? code.toUpperCase() : code.toLowerCase();
  return HAZARDS.find((h) => h.code === normal);
}

/** DSA `category` for a hazard code; unknown/custom hazards → STATEMENT_CATEGORY_OTHER_VIOLATION_TC. */
export function hazardCategoryDsa(hazard: string): string {
  return findHazard(hazard)?.dsaCategory ?? OTHER_TC;
}
