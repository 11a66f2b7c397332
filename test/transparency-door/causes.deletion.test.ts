/**
 * Deletions say who deleted what: an edited history is the app's deletion (restorable), a DELETE with the app's
 * key is the app's, one through the user's link is the user's own, and an erasure leaves only a fingerprint.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { call, expectNoInternals, onlyRecord, recordsOf, tokenOf, turn } from "./helpers.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;

beforeAll(async () => {
  candor = await startTestCandor();
  tenant = await candor.tenant();
});
afterAll(() => candor.stop());

function textOf(m: Anthropic.Message | null): string {
  const block = m?.content[0];
  return block?.type === "text" ? block.text : "";
}

describe("deletion causes, end to end", () => {
  it("an edited earlier message (dropped branch) → client_deletion, restorable", async () => {
    const s = "del-branch";
    const first = await turn(tenant.client, s, "first question");
    const history: Anthropic.MessageParam[] = [
      { role: "user", content: "first question" },
      { role: "assistant", content: textOf(first.message) },
    ];
    await turn(tenant.client, s, "second question", history);
    const edited = await turn(tenant.client, s, "second question, edited", history);
    expect(edited.headers.get("x-candor-interventions")).toBe("1");

    const rec = await onlyRecord(candor, { key: tenant.key }, s, "client_deletion");
    expect(rec.actor).toBe("client");
    expect(rec.explanation.parts.who).toContain("the chat app");
    expect(rec.explanation.parts.who).toContain("Not a safety decision");
    expect(rec.explanation.parts.why).toContain("no longer contained it");
    expect(rec.recoverable.what).toBe("all");
    expectNoInternals(rec, tenant.id);
    // The dropped message is still there to restore.
    const restored = await call<{ messages: Array<{ content: unknown }> }>(
      candor,
      { key: tenant.key },
      "POST",
      `/v1/sessions/${s}/restore`,
      { leaf: rec.content.message_id },
    );
    expect(restored.status).toBe(200);
    expect(restored.json.messages.at(-1)?.content).toBe("second question");
  });

  it("DELETE with the tenant key → client_deletion; through the user's link → user_deletion", async () => {
    await turn(tenant.client, "del-app", "delete me, app");
    const byApp = await call(candor, { key: tenant.key }, "DELETE", "/v1/sessions/del-app");
    expect(byApp.status).toBe(200);
    const appRec = await onlyRecord(candor, { key: tenant.key }, "del-app", "client_deletion");
    expect(appRec.explanation.title).toBe("Removed by the app");
    expect(appRec.recoverable.until).not.toBeNull();
    expect(appRec.explanation.parts.next).toContain("restore it from the session page until");

    const mine = await turn(tenant.client, "del-user", "delete me, me");
    const token = tokenOf(mine.headers.get("x-candor-explain"));
    const byUser = await call(candor, { token }, "DELETE", "/v1/sessions/del-user");
    expect(byUser.status).toBe(200);
    const userRec = await onlyRecord(candor, { token }, "del-user", "user_deletion");
    expect(userRec.actor).toBe("user");
    expect(userRec.explanation.title).toBe("Deleted by you");
    expect(userRec.explanation.parts.who).toBe("Who: you.");
    expect(userRec.explanation.parts.automated).toContain("your own action");
  });

  it("erase → erasure: nothing recoverable, only a fingerprint", async () => {
    await turn(tenant.client, "del-erase", "erase me for good");
    const erased = await call(candor, { key: tenant.key }, "POST", "/v1/sessions/del-erase/erase");
    expect(erased.status).toBe(200);
    const rec = await onlyRecord(candor, { key: tenant.key }, "del-erase", "erasure");
    expect(rec.actor).toBe("operator");
    expect(rec.recoverable.what).toBe("none");
    expect(rec.explanation.parts.recoverable).toContain("Only a fingerprint remains");
    expect(rec.explanation.parts.who).toContain("Not a safety decision");
    expect((await recordsOf(candor, { key: tenant.key }, "del-erase")).map((r) => r.cause)).toEqual([
      "erasure",
    ]);
  });
});
