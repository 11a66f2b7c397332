import { describe, expect, it } from "vitest";
import {
  CAUSES,
  causeForStopReason,
  causeForUpstreamError,
  causeInfo,
  HAZARDS,
  hazardCategoryDsa,
} from "../../src/transparency/causes.js";

describe("cause table", () => {
  it("marks exactly our own restrictions as safety decisions", () => {
    const safety = CAUSES.filter((c) => causeInfo(c).safetyDecision);
    expect(safety).toEqual([
      "policy_block",
      "policy_redact",
      "policy_warn",
      "policy_check_failed",
      "appeal_upheld",
    ]);
  });

  it("makes only restricting policy decisions appealable", () => {
    const appealable = CAUSES.filter((c) => causeInfo(c).appealable);
    expect(appealable).toEqual(["policy_block", "policy_redact", "policy_warn", "policy_check_failed"]);
  });

  it.each([
    ["policy_block", "proxy_policy"],
    ["upstream_refusal", "upstream_model"],
    ["upstream_overloaded", "upstream_platform"],
    ["quota_or_billing", "upstream_platform"],
    ["length_limit", "upstream_model"],
    ["client_disconnect", "client"],
    ["client_deletion", "client"],
    ["user_deletion", "user"],
    ["proxy_crash", "proxy"],
    ["retention_expiry", "operator"],
    ["appeal_reversed", "moderator"],
  ] as const)("%s is attributed to %s", (cause, actor) => {
    expect(causeInfo(cause).actor).toBe(actor);
  });

  it("gives every safety decision a DSA ground and visibility, and no other cause a visibility", () => {
    for (const cause of CAUSES) {
      const info = causeInfo(cause);
      if (info.safetyDecision) {
        expect(info.decisionGround).toBe("DECISION_GROUND_INCOMPATIBLE_CONTENT");
        expect(info.decisionVisibility?.length).toBeGreaterThan(0);
      } else {
        expect(info.decisionVisibility ?? []).toEqual([]);
      }
    }
  });

  it("returns a copy callers cannot use to corrupt the table", () => {
    causeInfo("policy_block").decisionVisibility?.push("DECISION_VISIBILITY_OTHER");
    expect(causeInfo("policy_block").decisionVisibility).toEqual(["DECISION_VISIBILITY_CONTENT_DISABLED"]);
  });
});

describe("causeForUpstreamError", () => {
  it.each([
    [529, "overloaded_error", "upstream_overloaded"],
    [529, null, "upstream_overloaded"],
    [429, "rate_limit_error", "quota_or_billing"],
    [402, "billing_error", "quota_or_billing"],
    [400, "invalid_request_error", "request_rejected"],
    [413, "request_too_large", "request_rejected"],
    [413, null, "request_rejected"],
    [401, "authentication_error", "request_rejected"],
    [500, "api_error", "upstream_error"],
    [503, null, "upstream_error"],
    [504, null, "upstream_error"],
    [408, null, "upstream_error"],
    [null, null, "upstream_error"],
    // The error type is more specific than the status: an overload reported on a 500 is an overload.
    [500, "overloaded_error", "upstream_overloaded"],
    [418, "unknown_future_error", "request_rejected"],
  ] as const)("status %s / %s → %s", (status, type, cause) => {
    expect(causeForUpstreamError(status, type)).toBe(cause);
  });
});

describe("causeForStopReason", () => {
  it.each([
    ["refusal", "upstream_refusal"],
    ["max_tokens", "length_limit"],
    ["model_context_window_exceeded", "context_limit"],
    ["end_turn", null],
    ["tool_use", null],
    ["stop_sequence", null],
    ["pause_turn", null],
    [null, null],
  ] as const)("%s → %s", (reason, cause) => {
    expect(causeForStopReason(reason)).toBe(cause);
  });
});

describe("hazards", () => {
  it("lists S1–S14 with their MLCommons names, plus privacy and secrets", () => {
    expect(HAZARDS.map((h) => h.code)).toEqual([
      ...Array.from({ length: 14 }, (_, i) => `S${i + 1}`),
      "privacy",
      "secrets",
    ]);
    expect(HAZARDS.find((h) => h.code === "S11")?.name).toBe("Suicide & Self-Harm");
    expect(HAZARDS.find((h) => h.code === "S14")?.name).toBe("Code Interpreter Abuse");
  });

  it.each([
    ["S1", "STATEMENT_CATEGORY_VIOLENCE"],
    ["s4", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
    ["S10: Hate", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"],
    ["S11", "STATEMENT_CATEGORY_SELF_HARM"],
    ["S13", "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"],
    ["privacy", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"],
    ["secrets", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"],
    ["custom", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"],
    ["S15", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"],
  ])("%s → %s", (hazard, category) => {
    expect(hazardCategoryDsa(hazard)).toBe(category);
  });
});
