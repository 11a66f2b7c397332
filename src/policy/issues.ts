/**
 * Turns zod issues into lines an operator can act on: `FILE: rules[2] (id "pii.email"): detector.type: …`.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** Every field name the format knows, for "did you mean" hints on typos. */
const KNOWN_FIELDS = [
  "id",
  "description",
  "window_chars",
  "rules",
  "tests",
  "stages",
  "detector",
  "hazard",
  "action",
  "on_error",
  "label",
  "explanation",
  "explanation_on_error",
  "enabled_if",
  "thinking",
  "type",
  "words",
  "list",
  "match",
  "leetspeak",
  "confusables",
  "patterns",
  "flags",
  "kinds",
  "default_country",
  "model",
  "prompt",
  "definition",
  "timeout_ms",
  "max_tokens",
  "base_url",
  "categories",
  "url",
  "headers",
  "name",
  "text",
  "stage",
  "kind",
  "expect",
  "redacted",
];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

function suggest(key: string): string {
  let best: string | undefined;
  let bestD = 3;
  for (const f of KNOWN_FIELDS) {
    const d = editDistance(key, f);
    if (d < bestD) {
      best = f;
      bestD = d;
    }
  }
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let cur = data;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : String(v);
}

/** `rules[2] (id "pii.email"): detector.type` */
function formatPath(path: readonly PathKey[], data: unknown): string {
  const parts: string[] = [];
  let rest = path;
  if ((path[0] === "rules" || path[0] === "tests") && typeof path[1] === "number") {
    const ruleId = valueAt(data, [path[0], path[1], path[0] === "rules" ? "id" : "name"]);
    parts.push(
      `${String(path[0])}[${path[1]}]${typeof ruleId === "string" ? ` (${path[0] === "rules" ? "id" : "name"} ${JSON.stringify(ruleId)})` : ""}`,
    );
    rest = path.slice(2);
  }
  let field = "";
  for (const k of rest) field += typeof k === "number" ? `[${k}]` : `${field === "" ? "" : "."}${String(k)}`;
  if (field !== "") parts.push(field);
  return parts.join(": ");
}

function message(issue: Issue, data: unknown): string {
  const got = valueAt(data, issue.path);
  const want = (options: string) =>
    got === undefined ? `required: one of ${options}` : `expected one of ${options}, got ${describe(got)}`;
  switch (issue.code) {
    case "invalid_union": {
      const opts = (issue as { options?: unknown[] }).options;
      if (Array.isArray(opts)) return want(opts.join("|"));
      return issue.message;
    }
    case "invalid_value":
      return want(issue.values.map(String).join("|"));
    case "invalid_type":
      if (issue.path.length === 0)
        return `expected a policy (a YAML mapping with id and rules), got ${describe(got)}`;
      return got === undefined
        ? `required (${issue.expected})`
        : `expected ${issue.expected}, got ${describe(got)}`;
    default:
      return issue.message;
  }
}

/** One line per problem, each naming the file, the rule (index and id) and the field path. */
export function formatIssues(file: string, issues: readonly Issue[], data: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const where = formatPath([...issue.path, key], data);
        lines.push(`${file}: ${where}: unknown field${suggest(key)}`);
      }
      continue;
    }
    const where = formatPath(issue.path, data);
    lines.push(`${file}: ${where === "" ? "" : `${where}: `}${message(issue, data)}`);
  }
  return lines;
}
