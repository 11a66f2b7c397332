import { describe, expect, it } from "vitest";
import { CAUSES, type Cause } from "../../src/transparency/causes.js";
import { explain, SUPPORTED_LOCALES } from "../../src/transparency/explain.js";
import { makeRecord } from "./factory.js";

const POLICY_CAUSES: Cause[] = [
  "policy_block",
  "policy_redact",
  "policy_warn",
  "policy_flag",
  "policy_check_failed",
];
const PROVIDER_ERRORS: Cause[] = [
  "upstream_overloaded",
  "upstream_error",
  "quota_or_billing",
  "request_rejected",
];

describe("every cause", () => {
  it.each(CAUSES)("%s: has every part, a reference and a title", (cause) => {
    const r = makeRecord(cause);
    const e = explain(r);
    expect(e.locale).toBe("en");
    expect(e.title.length).toBeGreaterThan(3);
    for (const [name, part] of Object.entries(e.parts)) {
      if (name === "appeal") continue;
      expect(part, name).toMatch(/\S/);
      expect(e.text).toContain(part);
    }
    expect(e.parts.reference).toContain(r.id);
    expect(e.parts.which).toContain("the assistant's reply");
    expect(e.parts.which).toContain("content block 1, characters 21–39");
  });

  it.each(CAUSES)("%s: offers an appeal exactly when the record is appealable", (cause) => {
    const r = makeRecord(cause);
    const e = explain(r);
    if (r.redress.appealable) expect(e.parts.appeal).toContain("until 2025-09-01 14:05 UTC");
    else expect(e.parts.appeal).toBeNull();
  });

  it.each(CAUSES.filter((c) => !POLICY_CAUSES.includes(c) && !c.startsWith("appeal_")))(
    "%s: never claims our filter acted",
    (cause) => {
      const e = explain(makeRecord(cause));
      expect(e.parts.who).not.toMatch(/^Who: our filter/);
      expect(e.text).not.toMatch(/our filter, rule/i);
    },
  );
});

describe("who acted", () => {
  it.each(POLICY_CAUSES)("%s names our filter with the rule id and version", (cause) => {
    const e = explain(makeRecord(cause));
    expect(e.parts.who).toContain("our filter");
    expect(e.parts.who).toContain("rule privacy.card-numbers (v3)");
    expect(e.parts.why).toContain("rule privacy.card-numbers (v3) of policy default");
    expect(e.parts.automated).toContain("Automated: yes");
  });

  it("a policy block offers appeal with the deadline and says the text is kept for moderators", () => {
    const e = explain(
      makeRecord("policy_block", { ruleExplanation: "Card numbers are never sent to the model." }),
    );
    expect(e.parts.what).toBe("The assistant's reply was blocked and not shown.");
    expect(e.parts.why).toContain("Card numbers are never sent to the model.");
    expect(e.parts.next).toContain("appeal");
    expect(e.parts.appeal).toBe("Appeal: you can appeal this decision until 2025-09-01 14:05 UTC.");
    expect(e.parts.recoverable).toContain("visible only to moderators");
  });

  it("a refusal says the provider stopped the reply, and that it was not our filter", () => {
    const r = makeRecord("upstream_refusal", { facts: { words_received: 57, refusal_category: "cyber" } });
    const e = explain(r);
    expect(e.parts.what).toBe("The model's provider stopped this reply after 57 words.");
    expect(e.parts.who).toBe("Who: the model's provider. Not our filter.");
    expect(e.parts.why).toContain('stop reason "refusal" (category cyber)');
    expect(e.parts.recoverable).toContain("what arrived is saved");
    expect(e.parts.automated).toBe("Automated: decided by the provider's systems, not by a person here.");
    expect(e.text).not.toContain("Not a safety decision");
  });

  it.each(PROVIDER_ERRORS)("%s says it was an error at the provider, not a safety decision", (cause) => {
    const e = explain(
      makeRecord(cause, {
        error: {
          type: "overloaded_error",
          status: 529,
          upstreamRequestId: "req_011CUpstream",
          message: null,
        },
        facts: { words_received: 212 },
      }),
    );
    expect(e.parts.who).toContain("the model's provider");
    expect(e.parts.who).toContain("Not a safety decision.");
    expect(e.parts.why).toBe(
      "Why: the provider reported overloaded_error (HTTP 529); provider request id req_011CUpstream.",
    );
    expect(e.parts.automated).toContain("not a decision");
  });

  it("an overload mid-stream says after how many words, and to retry", () => {
    const e = explain(makeRecord("upstream_overloaded", { facts: { words_received: 212 } }));
    expect(e.parts.what).toBe("The model's provider was overloaded and the reply stopped after 212 words.");
    expect(e.parts.next).toBe("Next: retry in a moment.");
  });

  it.each([
    ["length_limit", "Next: continue to get the rest."],
    ["client_disconnect", "Next: restore the conversation or retry."],
    ["proxy_error", "Next: retry; if it keeps failing, contact the app with the reference below."],
    ["retention_expiry", "Next: nothing to do."],
  ] as const)("%s tells the user what to do next", (cause, next) => {
    expect(explain(makeRecord(cause)).parts.next).toBe(next);
  });

  it("deletions name the app or the user and say until when they can be restored", () => {
    const until = "2025-04-01T00:00:00.000Z";
    const byApp = explain(makeRecord("client_deletion", { recoverable: { what: "all", until } }));
    expect(byApp.parts.who).toBe("Who: the chat app. Not a safety decision.");
    expect(byApp.parts.recoverable).toBe(
      "Recoverable: yes, everything is saved and can be restored until 2025-04-01 00:00 UTC.",
    );
    const byUser = explain(makeRecord("user_deletion", { content: { role: "user" } }));
    expect(byUser.parts.who).toBe("Who: you.");
    expect(byUser.parts.what).toBe("You deleted your message on 2025-03-01 14:05 UTC.");
  });

  it("retention and erasure say only a fingerprint remains", () => {
    const e = explain(makeRecord("retention_expiry", { facts: { retention_days: 30 } }));
    expect(e.parts.what).toContain("30-day retention setting");
    expect(e.parts.recoverable).toContain("Only a fingerprint remains");
  });
});

describe("appeal outcomes", () => {
  it("a reversed appeal says the content was restored", () => {
    const e = explain(makeRecord("policy_block"), {
      appealOutcome: {
        decision: "reversed",
        reason: "The number was a test card.",
        decidedAt: "2025-03-03T09:00:00Z",
      },
    });
    expect(e.parts.appeal).toBe(
      "Appeal: decided on 2025-03-03 09:00 UTC: reversed, and the content was restored. Reason: The number was a test card.",
    );
    expect(e.parts.recoverable).toBe("Recoverable: yes, the content was restored.");
    expect(e.title).toContain("appeal reversed");
  });

  it("an upheld appeal gives the reason and no further internal appeal", () => {
    const e = explain(makeRecord("policy_redact"), {
      appealOutcome: {
        decision: "upheld",
        reason: "It was a real card number.",
        decidedAt: "2025-03-03T09:00:00Z",
      },
    });
    expect(e.parts.appeal).toContain("upheld. Reason: It was a real card number.");
    expect(e.parts.next).toContain("out-of-court dispute settlement");
  });
});

describe("what is never shown", () => {
  const SECRET = "SECRET-7f3a9c";

  it("no part contains error messages, stack traces, ids, content hashes or unlisted facts", () => {
    for (const cause of CAUSES) {
      const r = makeRecord(cause, {
        tenantId: `tenant-${SECRET}`,
        sessionId: `session-${SECRET}`,
        turnId: `turn-${SECRET}`,
        content: { messageId: `msg-${SECRET}`, contentHash: `hash-${SECRET}` },
        error: {
          type: `TypeError: ${SECRET}\n    at relay (/srv/candor/relay.js:10:5)`,
          status: 500,
          upstreamRequestId: `req ${SECRET} at line 3`,
          message: `connect ECONNREFUSED 10.0.0.7:5432 ${SECRET}`,
        },
        facts: { internal_note: SECRET, words_received: 3, refusal_category: `${SECRET} with spaces` },
      });
      const e = explain(r);
      const shown = JSON.stringify(e);
      expect(shown, cause).not.toContain(SECRET);
      expect(shown, cause).not.toContain("ECONNREFUSED");
      expect(shown, cause).not.toContain("relay.js");
    }
  });
});

describe("locales", () => {
  it("supports English and falls back to it for unknown locales", () => {
    expect(SUPPORTED_LOCALES).toEqual(["en"]);
    const r = makeRecord("policy_block");
    expect(explain(r, { locale: "en-GB" }).locale).toBe("en");
    expect(explain(r, { locale: "xx" }).text).toBe(explain(r).text);
  });
});
