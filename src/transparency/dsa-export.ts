/**
 * Map a record to a statement of reasons for the EU DSA Transparency Database
 * (POST https://transparency.dsa.ec.europa.eu/api/v1/statement; field names and enums as in its API
 * documentation, schema v2 of July 2025). Only our own safety decisions are exportable, and a
 * statement carries no content and no personal data: of all ids, only the record id (`puid`).
 */
import { causeInfo, hazardCategoryDsa } from "./causes.js";
import type { InterventionRecord } from "./record.js";

export type DsaAutomatedDecision =
  | "AUTOMATED_DECISION_FULLY"
  | "AUTOMATED_DECISION_PARTIALLY"
  | "AUTOMATED_DECISION_NOT_AUTOMATED";

export interface DsaStatement {
  decision_visibility: string[];
  decision_visibility_other?: string;
  decision_ground: "DECISION_GROUND_ILLEGAL_CONTENT" | "DECISION_GROUND_INCOMPATIBLE_CONTENT";
  illegal_content_legal_ground?: string;
  illegal_content_explanation?: string;
  incompatible_content_ground?: string;
  incompatible_content_explanation?: string;
  category: string;
  content_type: string[];
  /** YYYY-MM-DD */
  content_date: string;
  /** YYYY-MM-DD */
  application_date: string;
  territorial_scope: string[];
  decision_facts: string;
  source_type: "SOURCE_VOLUNTARY";
  automated_detection: "Yes" | "No";
  automated_decision: DsaAutomatedDecision;
  puid: string;
  /** Informational: the database takes the platform from the API token and ignores this. */
  platform_name: string;
}

/** The 27 EU member states (ISO 3166-1 alpha-2, as the database expects: Greece is "GR"). */
export const EU_TERRITORIAL_SCOPE: readonly string[] = [
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
];

const PUID = /^[A-Za-z0-9_-]{1,500}$/;
const GROUNDS = new Set(["DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"]);

/** True when the record is our own restriction of content, i.e. it needs a statement of reasons. */
export function isDsaExportable(record: InterventionRecord): boolean {
  return (
    causeInfo(record.cause).safetyDecision &&
    record.decisionVisibility.length > 0 &&
    record.decisionGround !== null &&
    GROUNDS.has(record.decisionGround)
  );
}

function day(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${iso}`);
  return d.toISOString().slice(0, 10);
}

function limit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function dsaCategory(rule: InterventionRecord["rule"]): string {
  if (!rule) return "STATEMENT_CATEGORY_OTHER_VIOLATION_TC";
  if (rule.category?.startsWith("STATEMENT_CATEGORY_")) return rule.category;
  const byHazard = hazardCategoryDsa(rule.hazard);
  // A custom hazard may still carry a detector category such as a Llama Guard "S10".
  return byHazard === "STATEMENT_CATEGORY_OTHER_VIOLATION_TC" && rule.category
    ? hazardCategoryDsa(rule.category)
    : byHazard;
}

/**
 * Build the statement of reasons for a record. Throws a RangeError when the record is not exportable
 * ({@link isDsaExportable}) or its id is not a valid `puid`. Any tenant, session, turn or message id
 * that found its way into free text is replaced by "[id]".
 */
export function toDsaStatement(
  record: InterventionRecord,
  opts: { platformName: string; applicationDate?: string; territorialScope?: readonly string[] },
): DsaStatement {
  if (!isDsaExportable(record))
    throw new RangeError(`record ${record.id} (${record.cause}) is not a DSA decision`);
  if (!PUID.test(record.id)) throw new RangeError("record id is not a valid DSA puid");
  const scrub = scrubber(record);
  const rule = record.rule;
  const ground = rule
    ? `Policy ${rule.policyId} version ${rule.policyVersion}, rule ${rule.ruleId} (hazard ${rule.hazard})`
    : "Operator content policy";
  const explanation = scrub(limit(record.ruleExplanation ?? record.decisionFacts, 2000));
  const statement: DsaStatement = {
    decision_visibility: [...record.decisionVisibility],
    decision_ground: record.decisionGround as DsaStatement["decision_ground"],
    category: dsaCategory(rule),
    content_type: ["CONTENT_TYPE_TEXT"],
    content_date: day(record.createdAt),
    application_date: day(opts.applicationDate ?? record.createdAt),
    territorial_scope: [...(opts.territorialScope ?? EU_TERRITORIAL_SCOPE)],
    decision_facts: scrub(limit(record.decisionFacts, 5000)),
    source_type: "SOURCE_VOLUNTARY",
    automated_detection: record.automatedDetection ? "Yes" : "No",
    automated_decision: record.automatedDecision
      ? "AUTOMATED_DECISION_FULLY"
      : "AUTOMATED_DECISION_NOT_AUTOMATED",
    puid: record.id,
    platform_name: opts.platformName,
  };
  if (record.decisionVisibility.includes("DECISION_VISIBILITY_OTHER")) {
    statement.decision_visibility_other = scrub(limit(record.decisionFacts, 500));
  }
  if (statement.decision_ground === "DECISION_GROUND_ILLEGAL_CONTENT") {
    statement.illegal_content_legal_ground = scrub(limit(ground, 500));
    statement.illegal_content_explanation = explanation;
  } else {
    statement.incompatible_content_ground = scrub(limit(ground, 500));
    statement.incompatible_content_explanation = explanation;
  }
  return statement;
}

function scrubber(record: InterventionRecord): (text: string) => string {
  const ids = [record.tenantId, record.sessionId, record.turnId, record.content.messageId]
    .filter((id): id is string => typeof id === "string" && id.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => ids.reduce((out, id) => out.split(id).join("[id]"), text);
}
