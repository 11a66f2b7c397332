/**
 * Parsing one policy file: YAML → zod-validated definition → content-hash version.
 */
import { createHash } from "node:crypto";
import { parseDocument } from "yaml";
import { formatIssues } from "./issues.js";
import { type PolicyDef, policySchema } from "./schema.js";

/** A validated policy. `version` is the first 16 hex chars of sha256 over the canonical content. */
export interface LoadedPolicy {
  id: string;
  version: string;
  file: string;
  source: string;
  def: PolicyDef;
}

/** A policy that cannot be used; `issues` holds one line per problem, each starting with the file name. */
export class PolicyError extends Error {
  readonly file: string;
  readonly issues: string[];
  constructor(file: string, issues: string[]) {
    super(issues.join("\n"));
    this.name = "PolicyError";
    this.file = file;
    this.issues = issues;
  }
}

/** JSON with object keys sorted, so formatting, comments and key order do not change a policy's version. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The version of a policy's (already parsed) content. */
export function policyVersion(data: unknown): string {
  return createHash("sha256").update(canonicalJson(data)).digest("hex").slice(0, 16);
}

/** Parses and validates policy source text. Throws `PolicyError` listing every problem. */
export function parsePolicy(source: string, file: string): LoadedPolicy {
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => `${file}: YAML: ${e.message.split("\n")[0]}`),
    );
  }
  const data: unknown = doc.toJS();
  const parsed = policySchema.safeParse(data);
  if (!parsed.success) throw new PolicyError(file, formatIssues(file, parsed.error.issues, data));
  return { id: parsed.data.id, version: policyVersion(data), file, source, def: parsed.data };
}
