import { describe, expect, it } from "vitest";
import { CAUSES, causeInfo } from "../../src/transparency/causes.js";
import { EU_TERRITORIAL_SCOPE, isDsaExportable, toDsaStatement } from "../../src/transparency/dsa-export.js";
import { CARD_RULE, makeRecord } from "./factory.js";

const OPTS = { platformName: "Example Chat" };

describe("DSA statement of reasons", () => {
  it("maps an automated policy block to the Transparency Database fields", () => {
    const r = makeRecord("policy_block", { ruleExplanation: "Card numbers are never shown." });
    expect(toDsaStatement(r, OPTS)).toEqual({
      decision_visibility: ["DECISION_VISIBILITY_CONTENT_DISABLED"],
      decision_ground: "DECISION_GROUND_INCOMPATIBLE_CONTENT",
      incompatible_content_ground: "Policy default version 3, rule privacy.card-numbers (hazard privacy)",
      incompatible_content_explanation: "Card numbers are never shown.",
      category: "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
      content_type: ["CONTENT_TYPE_TEXT"],
      content_date: "2025-03-01",
      application_date: "2025-03-01",
      territorial_scope: [...EU_TERRITORIAL_SCOPE],
      decision_facts: r.decisionFacts,
      source_type: "SOURCE_VOLUNTARY",
      automated_detection: "Yes",
      automated_decision: "AUTOMATED_DECISION_FULLY",
      puid: r.id,
      platform_name: "Example Chat",
    });
  });

  it("exports exactly the safety decisions", () => {
    for (const cause of CAUSES) {
      const r = makeRecord(cause);
      expect(isDsaExportable(r), cause).toBe(causeInfo(cause).safetyDecision);
      if (!isDsaExportable(r)) expect(() => toDsaStatement(r, OPTS)).toThrow(RangeError);
    }
  });

  it("contains no tenant, session, turn or message id, even if one slipped into free text", () => {
    for (const cause of CAUSES.filter((c) => causeInfo(c).safetyDecision)) {
      const base = makeRecord(cause);
      const r = makeRecord(cause, {
        tenantId: base.tenantId,
        sessionId: base.sessionId,
        decisionFacts: `Withheld in session ${base.sessionId} of tenant ${base.tenantId}.`,
        ruleExplanation: `See turn ${base.turnId}.`,
      });
      const exported = JSON.stringify(toDsaStatement(r, OPTS));
      for (const id of [r.tenantId, r.sessionId, r.turnId, r.content.messageId]) {
        expect(exported, cause).not.toContain(String(id));
      }
      expect(exported).toContain(r.id);
      expect(exported).not.toContain(String(r.content.contentHash));
    }
  });

  it("records a moderator's upheld appeal as not automated", () => {
    const s = toDsaStatement(makeRecord("appeal_upheld"), {
      ...OPTS,
      applicationDate: "2025-03-04T10:00:00Z",
    });
    expect(s.automated_decision).toBe("AUTOMATED_DECISION_NOT_AUTOMATED");
    expect(s.automated_detection).toBe("No");
    expect(s.application_date).toBe("2025-03-04");
  });

  it.each([
    ["S1", undefined, "STATEMENT_CATEGORY_VIOLENCE"],
    ["custom", "S10", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"],
    ["S7", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"],
    ["custom", undefined, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"],
  ])("hazard %s / category %s → %s", (hazard, category, expected) => {
    const r = makeRecord("policy_warn", { rule: { ...CARD_RULE, hazard, category } });
    expect(toDsaStatement(r, OPTS).category).toBe(expected);
  });

  it("uses the given territorial scope and refuses ids that are not valid puids", () => {
    expect(
      toDsaStatement(makeRecord("policy_block"), { ...OPTS, territorialScope: ["DE"] }).territorial_scope,
    ).toEqual(["DE"]);
    expect(() => toDsaStatement(makeRecord("policy_block", { id: "int 1/2" }), OPTS)).toThrow(RangeError);
  });
});
