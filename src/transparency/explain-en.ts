/**
 * English explanations. A new locale copies this file's shape (a {@link LocaleMessages}) and is added
 * to the table in explain.ts; anything it leaves out cannot fall back per sentence, so translate whole.
 */
import type { Cause } from "./causes.js";
import type { ExplainFacts, LocaleMessages } from "./explain.js";

/** "2025-03-01 14:05 UTC": unambiguous across readers, independent of the server's time zone. */
function date(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function noun(f: ExplainFacts): string {
  switch (f.role) {
    case "user":
      return "your message";
    case "assistant":
      return "the assistant's reply";
    case "system":
      return "the app's instructions to the model";
    default:
      return "this part of the conversation";
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function words(n: number | null, before = ""): string {
  if (n === null) return "";
  if (n === 0) return before;
  return ` after ${n} word${n === 1 ? "" : "s"}`;
}

function ruleRef(f: ExplainFacts): string {
  return f.rule ? `rule ${f.rule.ruleId} (v${f.rule.policyVersion})` : "a rule of our content policy";
}

function labelled(f: ExplainFacts): string {
  return f.rule?.label ? ` (${f.rule.label})` : "";
}

const TITLES: Record<Cause, string> = {
  policy_block: "Blocked by our filter",
  policy_redact: "Part hidden by our filter",
  policy_warn: "Shown with a warning from our filter",
  policy_flag: "Flagged by our filter for review",
  policy_check_failed: "Held back: our filter could not check it",
  upstream_refusal: "Stopped by the model's provider",
  upstream_overloaded: "The model's provider was overloaded",
  upstream_error: "The model's provider had an error",
  quota_or_billing: "Usage limit reached",
  request_rejected: "The model's provider rejected the request",
  length_limit: "Reply reached its length limit",
  context_limit: "Conversation reached the model's context limit",
  client_disconnect: "Connection closed before the reply finished",
  client_deletion: "Removed by the app",
  user_deletion: "Deleted by you",
  proxy_error: "Our service had an error",
  proxy_crash: "Our service stopped unexpectedly",
  shutdown: "Our service restarted",
  retention_expiry: "Removed after the retention period",
  erasure: "Erased",
  appeal_reversed: "Appeal accepted: decision reversed",
  appeal_upheld: "Appeal reviewed: decision upheld",
};

const WHAT: Record<Cause, (f: ExplainFacts) => string> = {
  policy_block: (f) =>
    `${capital(noun(f))} was blocked and not ${f.role === "user" ? "sent to the model" : "shown"}.`,
  policy_redact: (f) => `Part of ${noun(f)} was hidden${labelled(f)}; the rest went through.`,
  policy_warn: (f) => `${capital(noun(f))} was shown with a warning${labelled(f)}.`,
  policy_flag: (f) =>
    `${capital(noun(f))} was flagged for review${labelled(f)}; nothing was hidden or changed.`,
  policy_check_failed: (f) =>
    `${capital(noun(f))} was held back because a safety check could not run. This is not a finding against it.`,
  upstream_refusal: (f) =>
    `The model's provider stopped this reply${words(f.wordsReceived, " before it started")}.`,
  upstream_overloaded: (f) =>
    `The model's provider was overloaded and the reply ${f.wordsReceived === 0 ? "could not be produced" : `stopped${words(f.wordsReceived)}`}.`,
  upstream_error: (f) =>
    `The model's provider had an error${words(f.wordsReceived, " before the reply started")}.`,
  quota_or_billing: () =>
    "The app hit a usage or billing limit at the model's provider, so no reply was produced. Your content is unaffected.",
  request_rejected: () =>
    "The model's provider rejected the app's request, so no reply was produced. Your content is unaffected.",
  length_limit: (f) => `The reply reached its length limit${words(f.wordsReceived)} and stopped.`,
  context_limit: () =>
    "The conversation reached the most the model can read at once (its context window), so the reply stopped.",
  client_disconnect: (f) => `The connection closed${words(f.wordsReceived)}, before the reply finished.`,
  client_deletion: (f) => `The app removed ${noun(f)} from the conversation on ${date(f.createdAt)}.`,
  user_deletion: (f) => `You deleted ${noun(f)} on ${date(f.createdAt)}.`,
  proxy_error: () => "Our service had an error while handling this turn.",
  proxy_crash: () => "Our service stopped unexpectedly while handling this turn.",
  shutdown: () => "Our service was restarting and ended this turn early.",
  retention_expiry: (f) =>
    `${capital(noun(f))} was removed under the ${f.retentionDays === null ? "" : `${f.retentionDays}-day `}retention setting.`,
  erasure: (f) => `${capital(noun(f))} was erased on request.`,
  appeal_reversed: () =>
    "A moderator reviewed the appeal and reversed the earlier decision; the content was restored.",
  appeal_upheld: () => "A moderator reviewed the appeal and upheld the earlier decision.",
};

const NOT_SAFETY = "Not a safety decision.";

function who(f: ExplainFacts): string {
  switch (f.info.actor) {
    case "proxy_policy":
      return f.cause === "policy_check_failed"
        ? `Who: our filter, ${ruleRef(f)}. Its check could not complete, and this rule holds content back when it cannot check.`
        : `Who: our filter, ${ruleRef(f)} — not the model's provider.`;
    case "upstream_model":
      return f.cause === "upstream_refusal"
        ? "Who: the model's provider. Not our filter."
        : `Who: the model, on its own limit. Not our filter. ${NOT_SAFETY}`;
    case "upstream_platform":
      return `Who: the model's provider, through an error or limit on its side. Not our filter. ${NOT_SAFETY}`;
    case "client":
      return f.cause === "client_disconnect"
        ? `Who: the connection between you and the app (the app, your browser or your network). ${NOT_SAFETY}`
        : `Who: the chat app. ${NOT_SAFETY}`;
    case "user":
      return "Who: you.";
    case "proxy":
      return `Who: our service (Candor). ${NOT_SAFETY}`;
    case "operator":
      return f.cause === "erasure"
        ? `Who: the app's operator, on an erasure request. ${NOT_SAFETY}`
        : `Who: the app's operator, through its data retention setting. ${NOT_SAFETY}`;
    case "moderator":
      return "Who: a human moderator.";
  }
}

function policyWhy(f: ExplainFacts): string {
  if (!f.rule) return "Why: a rule of our content policy.";
  const h = f.rule.hazard;
  const hazard = h
    ? `, hazard ${h.code.toLowerCase() === h.name.toLowerCase() ? h.name : `${h.code} (${h.name})`}`
    : "";
  const text = f.ruleExplanation ? ` ${f.ruleExplanation}` : "";
  return `Why: ${ruleRef(f)} of policy ${f.rule.policyId}${hazard}.${text}`;
}

function errorWhy(f: ExplainFacts): string {
  if (f.errorType === null && f.errorStatus === null)
    return "Why: the provider did not give a usable answer.";
  const status = f.errorStatus === null ? "" : ` (HTTP ${f.errorStatus})`;
  const id = f.upstreamRequestId ? `; provider request id ${f.upstreamRequestId}` : "";
  return `Why: the provider reported ${f.errorType ?? "an error"}${status}${id}.`;
}

const WHY: Record<Cause, (f: ExplainFacts) => string> = {
  policy_block: policyWhy,
  policy_redact: policyWhy,
  policy_warn: policyWhy,
  policy_flag: policyWhy,
  policy_check_failed: policyWhy,
  upstream_refusal: (f) =>
    `Why: the provider ended the reply with stop reason "refusal"${f.refusalCategory ? ` (category ${f.refusalCategory})` : ""}.`,
  upstream_overloaded: errorWhy,
  upstream_error: errorWhy,
  quota_or_billing: errorWhy,
  request_rejected: errorWhy,
  length_limit: () => 'Why: the reply used all the length the app allowed (stop reason "max_tokens").',
  context_limit: () =>
    'Why: the conversation is too long for the model (stop reason "model_context_window_exceeded").',
  client_disconnect: () => "Why: the connection closed before the last part of the reply arrived.",
  client_deletion: () => "Why: a later request from the app no longer contained it.",
  user_deletion: () => "Why: you asked for it to be deleted.",
  proxy_error: () => "Why: an internal failure; the details stay in our logs under the reference below.",
  proxy_crash: () =>
    "Why: the service process stopped; the details stay in our logs under the reference below.",
  shutdown: () => "Why: the service was restarted or shut down while the reply was running.",
  retention_expiry: () => "Why: content older than the retention period is removed automatically.",
  erasure: () => "Why: a request to erase it was carried out.",
  appeal_reversed: (f) => `Why: a person reviewed the appeal against ${ruleRef(f)}.`,
  appeal_upheld: (f) => `Why: a person reviewed the appeal against ${ruleRef(f)}.`,
};

function automated(f: ExplainFacts): string {
  const actor = f.info.actor;
  if (actor === "moderator") return "Automated: no, a person decided.";
  if (actor === "proxy_policy") {
    return f.automatedDecision
      ? "Automated: yes, no person reviewed it before it happened."
      : "Automated: no, a person decided.";
  }
  if (actor === "user") return "Automated: no, this was your own action.";
  if (f.cause === "client_deletion") {
    return "Automated: this was the app's action, not a decision about your content.";
  }
  if (f.cause === "upstream_refusal")
    return "Automated: decided by the provider's systems, not by a person here.";
  if (f.cause === "erasure") return "Automated: no, a person asked for this.";
  return "Automated: this was a technical event, not a decision by anyone.";
}

function recoverable(f: ExplainFacts): string {
  if (f.appealOutcome?.decision === "reversed") return "Recoverable: yes, the content was restored.";
  const until = f.recoverable.until ? ` until ${date(f.recoverable.until)}` : "";
  switch (f.recoverable.what) {
    case "all":
      return `Recoverable: yes, everything is saved${until ? ` and can be restored${until}` : ""}.`;
    case "partial":
      return `Recoverable: what arrived is saved${until}; the rest was never produced.`;
    case "none":
      return "Recoverable: no. Only a fingerprint remains, which proves this record existed but cannot bring the content back.";
    case "moderator_only":
      return `Recoverable: the withheld text is kept${until} for audit and appeal, visible only to moderators; it cannot be restored here.`;
  }
}

const NEXT: Record<Cause, (f: ExplainFacts) => string> = {
  policy_block: (f) => (f.appealable ? "Next: if you think this is wrong, appeal." : "Next: nothing to do."),
  policy_redact: (f) => (f.appealable ? "Next: if you think this is wrong, appeal." : "Next: nothing to do."),
  policy_warn: (f) =>
    f.appealable ? "Next: if you think the warning is wrong, appeal." : "Next: nothing to do.",
  policy_flag: () => "Next: nothing to do.",
  policy_check_failed: () => "Next: try again; if it happens again, appeal.",
  upstream_refusal: () => "Next: you can rephrase and try again.",
  upstream_overloaded: () => "Next: retry in a moment.",
  upstream_error: () => "Next: retry.",
  quota_or_billing: () => "Next: try again later; the app's operator has to raise or reset the limit.",
  request_rejected: () => "Next: nothing you can do here; the app has to fix its request.",
  length_limit: () => "Next: continue to get the rest.",
  context_limit: () => "Next: start a new conversation, or restore this one and shorten it.",
  client_disconnect: () => "Next: restore the conversation or retry.",
  client_deletion: (f) => restoreNext(f),
  user_deletion: (f) => restoreNext(f),
  proxy_error: () => "Next: retry; if it keeps failing, contact the app with the reference below.",
  proxy_crash: () => "Next: retry; if it keeps failing, contact the app with the reference below.",
  shutdown: () => "Next: retry.",
  retention_expiry: () => "Next: nothing to do.",
  erasure: () => "Next: nothing to do.",
  appeal_reversed: () => "Next: nothing to do.",
  appeal_upheld: () => upheldNext,
};

const upheldNext =
  "Next: nothing more here; you may still turn to a certified out-of-court dispute settlement body or the courts.";

function restoreNext(f: ExplainFacts): string {
  const until = f.recoverable.until ? ` until ${date(f.recoverable.until)}` : "";
  return `Next: if you want it back, restore it from the session page${until}.`;
}

function next(f: ExplainFacts): string {
  const outcome = f.appealOutcome?.decision;
  if (outcome === "reversed") return "Next: nothing to do.";
  if (outcome === "upheld") return upheldNext;
  return NEXT[f.cause](f);
}

function appeal(f: ExplainFacts): string | null {
  const outcome = f.appealOutcome;
  if (outcome) {
    const reason = outcome.reason ? ` Reason: ${outcome.reason}` : "";
    const result = outcome.decision === "reversed" ? "reversed, and the content was restored." : "upheld.";
    return `Appeal: decided on ${date(outcome.decidedAt)}: ${result}${reason}`;
  }
  if (!f.appealable) return null;
  return f.appealDeadline
    ? `Appeal: you can appeal this decision until ${date(f.appealDeadline)}.`
    : "Appeal: you can appeal this decision.";
}

export const EN: LocaleMessages = {
  title: (f) => {
    const suffix = f.appealOutcome ? ` (appeal ${f.appealOutcome.decision})` : "";
    return `${TITLES[f.cause]}${suffix}`;
  },
  which: (f) => {
    const where: string[] = [];
    if (f.blockIndex !== null) where.push(`content block ${f.blockIndex + 1}`);
    if (f.start !== null && f.end !== null && f.end > f.start)
      where.push(`characters ${f.start + 1}–${f.end}`);
    return `Which: ${noun(f)}${where.length > 0 ? ` (${where.join(", ")})` : ""}.`;
  },
  what: (f) => WHAT[f.cause](f),
  who,
  why: (f) => WHY[f.cause](f),
  automated,
  recoverable,
  next,
  appeal,
  reference: (f) => `Reference: ${f.id} (a signed receipt can verify this record).`,
};
