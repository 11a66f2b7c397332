/**
 * The intervention record: what Candor stores, hashes into the Merkle log and explains. It holds no
 * content — only a salted commitment to it — so erasing content (and its salt) leaves the log verifiable.
 */
import { createHash, randomBytes } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import { type Actor, type Cause, causeInfo } from "./causes.js";

export interface InterventionRecord {
  /** "int_" + random, assigned by the caller; also the DSA `puid`. */
  id: string;
  tenantId: string;
  sessionId: string;
  turnId: string | null;
  /** ISO 8601 timestamp. */
  createdAt: string;
  cause: Cause;
  actor: Actor;
  content: {
    messageId: string | null;
    role: "user" | "assistant" | "system" | null;
    blockIndex: number | null;
    /** Character offsets in the block's text, end exclusive. */
    start: number | null;
    end: number | null;
    /** {@link contentCommitment} of the affected content. */
    contentHash: string | null;
  };
  rule: {
    policyId: string;
    policyVersion: string;
    ruleId: string;
    hazard: string;
    category?: string;
    label?: string;
    action: string;
  } | null;
  error: {
    type: string;
    status: number | null;
    upstreamRequestId: string | null;
    /** Kept for operators; never rendered in explanations. */
    message: string | null;
  } | null;
  automatedDetection: boolean;
  automatedDecision: boolean;
  decisionVisibility: string[];
  decisionGround: string | null;
  /** Short factual statement, no content, no ids (exported to the DSA database as-is). */
  decisionFacts: string;
  recoverable: { what: "all" | "partial" | "none" | "moderator_only"; until: string | null };
  redress: { appealable: boolean; deadline: string | null };
  /** Rule-specific text from the policy, already rendered by the policy engine. */
  ruleExplanation?: string;
  /** Numeric/boolean facts, e.g. { words_received: 212, deltas: 14 }. */
  facts?: Record<string, string | number | boolean | null>;
}

/** Canonical bytes of a record (deterministic JSON: sorted keys, no whitespace) — the Merkle leaf entry. */
export function canonicalRecordBytes(r: InterventionRecord): Uint8Array {
  return Buffer.from(canonicalJson(r), "utf8");
}

/** Salted content commitment: sha256(salt ‖ content) hex, so erasing content+salt keeps the log verifiable. */
export function contentCommitment(content: string | Uint8Array, salt: Uint8Array): string {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha256").update(salt).update(bytes).digest("hex");
}

/** 32 random bytes: enough that a short content (a card number, a name) cannot be found by guessing. */
export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export interface BuildRecordInput {
  id: string;
  tenantId: string;
  sessionId: string;
  turnId: string | null;
  cause: Cause;
  createdAt: Date;
  content?: Partial<InterventionRecord["content"]>;
  rule?: InterventionRecord["rule"];
  error?: InterventionRecord["error"];
  recoverable?: InterventionRecord["recoverable"];
  ruleExplanation?: string;
  facts?: InterventionRecord["facts"];
  /** Days to appeal; default six months, the minimum DSA Art. 20(1) allows. */
  appealDays?: number;
  /** Override the generated decision facts (must hold no content and no personal data). */
  decisionFacts?: string;
}

const DEFAULT_RECOVERABLE: Record<Cause, InterventionRecord["recoverable"]["what"]> = {
  policy_block: "moderator_only",
  policy_redact: "moderator_only",
  policy_warn: "all",
  policy_flag: "all",
  policy_check_failed: "moderator_only",
  upstream_refusal: "partial",
  upstream_overloaded: "partial",
  upstream_error: "partial",
  quota_or_billing: "all",
  request_rejected: "all",
  length_limit: "partial",
  context_limit: "partial",
  client_disconnect: "partial",
  client_deletion: "all",
  user_deletion: "all",
  proxy_error: "partial",
  proxy_crash: "partial",
  shutdown: "partial",
  retention_expiry: "none",
  erasure: "none",
  appeal_reversed: "all",
  appeal_upheld: "moderator_only",
};

/**
 * Build a record from a cause and its context, taking actor, automation flags, DSA visibility and
 * ground, and appealability (deadline from `appealDays`, default six months) from {@link causeInfo}.
 */
export function buildRecord(input: BuildRecordInput): InterventionRecord {
  const info = causeInfo(input.cause);
  const content: InterventionRecord["content"] = {
    messageId: null,
    role: null,
    blockIndex: null,
    start: null,
    end: null,
    contentHash: null,
    ...input.content,
  };
  const rule = input.rule ?? null;
  const record: InterventionRecord = {
    id: input.id,
    tenantId: input.tenantId,
    sessionId: input.sessionId,
    turnId: input.turnId,
    createdAt: input.createdAt.toISOString(),
    cause: input.cause,
    actor: info.actor,
    content,
    rule,
    error: input.error ?? null,
    automatedDetection: info.automated,
    automatedDecision: info.automated,
    decisionVisibility: info.decisionVisibility ?? [],
    decisionGround: info.decisionGround ?? null,
    decisionFacts: input.decisionFacts ?? decisionFactsFor(input.cause, rule, content.role),
    recoverable: input.recoverable ?? { what: DEFAULT_RECOVERABLE[input.cause], until: null },
    redress: {
      appealable: info.appealable,
      deadline: info.appealable ? appealDeadline(input.createdAt, input.appealDays).toISOString() : null,
    },
  };
  if (input.ruleExplanation !== undefined) record.ruleExplanation = input.ruleExplanation;
  if (input.facts !== undefined) record.facts = input.facts;
  return record;
}

function appealDeadline(from: Date, days: number | undefined): Date {
  const deadline = new Date(from.getTime());
  if (days === undefined) deadline.setUTCMonth(deadline.getUTCMonth() + 6);
  else deadline.setUTCDate(deadline.getUTCDate() + days);
  return deadline;
}

/** Decision facts for policy decisions: `t` is the affected content, `r` the rule clause (may be ""). */
const POLICY_FACTS: Partial<Record<Cause, (t: string, r: string) => string>> = {
  policy_block: (t, r) => `An automated filter withheld ${t}${r}.`,
  policy_redact: (t, r) => `An automated filter redacted part of ${t}${r}.`,
  policy_warn: (t, r) => `An automated filter labelled ${t} with a warning${r}.`,
  policy_flag: (t, r) => `An automated filter flagged ${t} for review${r}.`,
  policy_check_failed: (t, r) =>
    `An automated filter withheld ${t}${r} because its check could not run and the rule fails closed.`,
  appeal_upheld: (t, r) => `On appeal, a moderator upheld the restriction of ${t}${r}.`,
};

const EVENT_FACTS: Partial<Record<Cause, string>> = {
  upstream_refusal: "The model provider ended the reply with stop reason refusal.",
  upstream_overloaded: "The model provider reported it was overloaded.",
  upstream_error: "The model provider returned an error.",
  quota_or_billing: "The model provider refused the request over a usage or billing limit.",
  request_rejected: "The model provider rejected the request.",
  length_limit: "The reply reached its maximum length (stop reason max_tokens).",
  context_limit: "The conversation exceeded the model's context window.",
  client_disconnect: "The client connection closed before the reply finished.",
  client_deletion: "The client application dropped this content from the conversation.",
  user_deletion: "The user deleted this content.",
  proxy_error: "The proxy failed while handling the turn.",
  proxy_crash: "The proxy process stopped while handling the turn.",
  shutdown: "The proxy shut down while handling the turn.",
  retention_expiry: "The content was removed when its retention period ended.",
  erasure: "The content was erased on request.",
  appeal_reversed: "On appeal, a moderator reversed the earlier restriction; the content was restored.",
};

function decisionFactsFor(
  cause: Cause,
  rule: InterventionRecord["rule"],
  role: InterventionRecord["content"]["role"],
): string {
  const template = POLICY_FACTS[cause];
  if (template === undefined) return EVENT_FACTS[cause] ?? "Recorded intervention.";
  const target = role === "user" ? "a user message" : role === "system" ? "a system prompt" : "a model reply";
  const ruleText = rule
    ? ` under rule ${rule.ruleId} (policy ${rule.policyId} version ${rule.policyVersion}, hazard ${rule.hazard})`
    : "";
  return template(target, ruleText);
}
