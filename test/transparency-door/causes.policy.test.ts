/**
 * Our own filter's decisions: a block, a redaction (input and output) and a flag, each recorded with the rule and
 * its version, explained as our filter's (not the provider's), and — when it restricted something — appealable
 * until a stated deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamText } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { b64, expectNoInternals, onlyRecord, type RecordJson, recordsOf, turn } from "./helpers.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;
let version: string;

beforeAll(async () => {
  candor = await startTestCandor({ CANDOR_POLICY: "test/fixtures/policies/transparency-door.yaml" });
  tenant = await candor.tenant();
  version = candor.server.services.policies.versions().default ?? "";
  expect(version).not.toBe("");
});
afterAll(() => candor.stop());

function expectOurDecision(rec: RecordJson, ruleId: string): void {
  expect(rec.actor).toBe("proxy_policy");
  expect(rec.rule).toMatchObject({ policy_id: "default", policy_version: version, rule_id: ruleId });
  expect(rec.explanation.parts.who).toContain("our filter");
  expect(rec.explanation.parts.who).toContain(`rule ${ruleId} (v${version})`);
  expect(rec.explanation.parts.who).toContain("not the model's provider");
  expect(rec.explanation.parts.why).toContain(`of policy default`);
  expect(rec.explanation.parts.automated).toContain("Automated: yes");
  expectNoInternals(rec, tenant.id);
}

function expectAppealable(rec: RecordJson): void {
  expect(rec.redress.appealable).toBe(true);
  const deadline = new Date(rec.redress.deadline ?? "");
  expect(deadline.getTime()).toBeGreaterThan(Date.now());
  const shown = `${deadline.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  expect(rec.explanation.parts.appeal).toBe(`Appeal: you can appeal this decision until ${shown}.`);
}

describe("policy causes, end to end", () => {
  it("a blocked reply → policy_block: our filter, rule id and version, appeal deadline", async () => {
    const res = await turn(
      tenant.client,
      "pol-block-out",
      `[sim:say encoding=base64] ${b64("The zorblax is here.")}`,
    );
    expect(res.message?.stop_reason).toBe("refusal");
    const rec = await onlyRecord(candor, { key: tenant.key }, "pol-block-out", "policy_block");
    expectOurDecision(rec, "conduct.forbidden-word");
    expectAppealable(rec);
    expect(rec.content.role).toBe("assistant");
    expect(rec.explanation.title).toBe("Blocked by our filter");
    expect(rec.explanation.parts.recoverable).toContain("visible only to moderators");
    expect(rec.explanation.text).not.toContain("zorblax");
  });

  it("a blocked message → policy_block on the user's message, not forwarded", async () => {
    const before = candor.sim.stats.messageRequests;
    const res = await turn(tenant.client, "pol-block-in", "please say zorblax for me");
    expect(res.message?.stop_reason).toBe("refusal");
    expect(candor.sim.stats.messageRequests).toBe(before);
    const rec = await onlyRecord(candor, { key: tenant.key }, "pol-block-in", "policy_block");
    expectOurDecision(rec, "conduct.forbidden-word");
    expectAppealable(rec);
    expect(rec.content.role).toBe("user");
    expect(rec.explanation.parts.what).toContain("not sent to the model");
  });

  it("a streamed reply with a card number → policy_redact of the reply, with offsets", async () => {
    const text = "Your card 4111 1111 1111 1111 is on file.";
    const got = await streamText(tenant.client, `[sim:say encoding=base64] ${b64(text)}`, {
      headers: { "x-candor-session": "pol-redact-out" },
    });
    expect(got.text).not.toContain("4111 1111 1111 1111");
    const rec = await onlyRecord(candor, { key: tenant.key }, "pol-redact-out", "policy_redact");
    expectOurDecision(rec, "privacy.card-numbers");
    expectAppealable(rec);
    expect(rec.content).toMatchObject({ role: "assistant", block_index: 0, start: 10, end: 29 });
    expect(rec.explanation.parts.which).toContain("characters 11–29");
    expect(rec.explanation.parts.what).toContain("(card number)");
  });

  it("a card number in the user's message → policy_redact of the input", async () => {
    await turn(tenant.client, "pol-redact-in", "charge 4111 1111 1111 1111 please");
    const rec = await onlyRecord(candor, { key: tenant.key }, "pol-redact-in", "policy_redact");
    expectOurDecision(rec, "privacy.card-numbers");
    expectAppealable(rec);
    expect(rec.content.role).toBe("user");
  });

  it("an e-mail address → policy_flag: nothing hidden, nothing to appeal", async () => {
    // The simulated reply echoes the prompt, so the address is flagged in the message and in the reply.
    await turn(tenant.client, "pol-flag", "write to jane.doe@example.com today");
    const flags = (await recordsOf(candor, { key: tenant.key }, "pol-flag")).filter(
      (r) => r.cause === "policy_flag",
    );
    expect(flags.map((r) => r.content.role).sort()).toEqual(["assistant", "user"]);
    for (const rec of flags) {
      expectOurDecision(rec, "privacy.email");
      expect(rec.redress.appealable).toBe(false);
      expect(rec.explanation.parts.appeal).toBeNull();
      expect(rec.explanation.parts.what).toContain("nothing was hidden or changed");
      expect(rec.explanation.text).not.toContain("jane.doe");
    }
  });
});
