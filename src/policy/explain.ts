/**
 * User-facing explanation text. Templates come from the policy file; only the placeholders below are filled,
 * and none of them is the matched text, which is additionally scrubbed should a category or label echo it.
 */
import type { Action } from "./types.js";

export interface ExplainVars {
  rule: string;
  policy: string;
  version: string;
  count: number;
  label: string;
  hazard: string;
  action: Action;
  stage: string;
  category?: string | undefined;
  error?: string | undefined;
}

const PAST: Record<Action, string> = {
  allow: "noted",
  flag: "flagged for review",
  warn: "let through with a warning",
  redact: "hid",
  block: "blocked",
};

export const DEFAULT_EXPLANATIONS: Record<Action, string> = {
  allow: "Rule {rule} noticed {count} {label} item(s); nothing was changed (policy {policy} v{version}).",
  flag: "Our filter flagged {count} {label} item(s) for review under rule {rule}; nothing was changed (policy {policy} v{version}).",
  warn: "Our filter let {count} {label} item(s) through with a warning under rule {rule} (policy {policy} v{version}).",
  redact: "Our filter hid {count} {label} item(s) under rule {rule} (policy {policy} v{version}).",
  block: "Our filter blocked this content under rule {rule} ({label}; policy {policy} v{version}).",
};

export const DEFAULT_ERROR_EXPLANATIONS = {
  closed:
    "The automated check {rule} could not run ({error}); as a precaution the content was {action_past} as if it had matched (policy {policy} v{version}).",
  open: "The automated check {rule} could not run ({error}); the content was let through without it (policy {policy} v{version}).",
} as const;

function scrub(value: string | undefined, matched: string | undefined): string | undefined {
  const needle = matched?.trim();
  if (value === undefined || needle === undefined || needle.length < 4) return value;
  return value.split(needle).join("…");
}

/**
 * Fills `{placeholder}`s. The values that come from outside the policy file (a remote category, an error
 * message) are scrubbed of the matched text; everything else is the operator's own words.
 */
export function renderExplanation(template: string, vars: ExplainVars, matched?: string): string {
  const values: Record<string, string> = {
    rule: vars.rule,
    policy: vars.policy,
    version: vars.version,
    count: String(vars.count),
    label: vars.label,
    hazard: vars.hazard,
    action: vars.action,
    action_past: PAST[vars.action],
    stage: vars.stage,
    category: scrub(vars.category, matched) ?? "none",
    error: scrub(vars.error, matched) ?? "none",
  };
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}
