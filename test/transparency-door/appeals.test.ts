/**
 * The appeal round trip: the user appeals through their link, a moderator sees the queue with the withheld
 * original, reverses with a reason, and the user's explanation shows the reversal while the original text comes
 * back as a restorable reply. An upheld appeal says so, with the reason and where to go next.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastText } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { b64, call, onlyRecord, type RecordJson, tokenOf, turn, verifyOnline } from "./helpers.js";

const ADMIN = "moderator-token-0123456789abcdef";
const admin = { admin: ADMIN };
let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;

beforeAll(async () => {
  candor = await startTestCandor({
    CANDOR_POLICY: "test/fixtures/policies/transparency-door.yaml",
    CANDOR_ADMIN_TOKEN: ADMIN,
  });
  tenant = await candor.tenant();
});
afterAll(() => candor.stop());

type Appeal = {
  id: string;
  status: string;
  decision: string | null;
  intervention_id: string;
  error?: { type: string; message: string };
};
type Decided = Appeal & {
  record: RecordJson;
  decision_record: RecordJson;
  restored: { message_id: string; restore: { leaf: string } } | null;
};
type Tree = { messages: Array<{ id: string; parent_id: string | null; role: string; content: unknown }> };

/** A streamed reply, keeping the response headers (the explain link) and the text the app showed. */
async function streamed(session: string, content: string): Promise<{ text: string; explain: string | null }> {
  const { data, response } = await tenant.client.messages
    .create(
      { model: "claude-sim-1", max_tokens: 256, stream: true, messages: [{ role: "user", content }] },
      { headers: { "x-candor-session": session } },
    )
    .withResponse();
  let text = "";
  for await (const e of data as AsyncIterable<Anthropic.RawMessageStreamEvent>) {
    if (e.type === "content_block_delta" && e.delta.type === "text_delta") text += e.delta.text;
  }
  return { text, explain: response.headers.get("x-candor-explain") };
}

async function decide(appealId: string, decision: "uphold" | "reverse", reason: string) {
  return call<Decided>(candor, admin, "POST", `/v1/moderation/appeals/${appealId}/decision`, {
    decision,
    reason,
  });
}

describe("appeals", () => {
  const original = "Here is the zorblax you asked about, in full detail.";
  let blocked: RecordJson;
  let appealId: string;
  let token: string;

  it("the user appeals a blocked reply through their link (once)", async () => {
    const res = await turn(tenant.client, "apl-reverse", `[sim:say encoding=base64] ${b64(original)}`);
    expect(res.message?.stop_reason).toBe("refusal");
    token = tokenOf(res.headers.get("x-candor-explain"));
    blocked = await onlyRecord(candor, { token }, "apl-reverse", "policy_block");
    expect(blocked.appeal).toBeNull();

    const filed = await call<Appeal>(candor, { token }, "POST", `/v1/interventions/${blocked.id}/appeal`, {
      statement: "It is a made-up word in a story.",
    });
    expect(filed.status).toBe(200);
    expect(filed.json).toMatchObject({ status: "open", decision: null, intervention_id: blocked.id });
    appealId = filed.json.id;

    const again = await call<Appeal>(candor, { token }, "POST", `/v1/interventions/${blocked.id}/appeal`, {});
    expect(again.status).toBe(400);
    expect(again.json.error?.type).toBe("invalid_request_error");
    expect(again.json.error?.message).toContain("already appealed");
  });

  it("the moderator's queue shows it with the withheld original (admin token required)", async () => {
    expect((await call(candor, null, "GET", "/v1/moderation/appeals")).status).toBe(401);
    expect((await call(candor, { admin: `${ADMIN}x` }, "GET", "/v1/moderation/appeals")).status).toBe(401);
    const q = await call<{ data: Array<Appeal & { record: RecordJson }> }>(
      candor,
      admin,
      "GET",
      "/v1/moderation/appeals?status=open",
    );
    expect(q.status).toBe(200);
    const mine = q.json.data.find((a) => a.id === appealId);
    expect(mine?.record.id).toBe(blocked.id);
    expect(mine?.record.withheld?.map((w) => w.original)).toEqual([original]);
    const one = await call<RecordJson>(candor, admin, "GET", `/v1/moderation/interventions/${blocked.id}`);
    expect(one.json.withheld?.[0]?.original).toBe(original);
    // The user's own view never carries the withheld text.
    const viewed = await call<RecordJson>(candor, { token }, "GET", `/v1/interventions/${blocked.id}`);
    expect(JSON.stringify(viewed.json)).not.toContain("zorblax");
  });

  it("a reversal restores the original as a new reply; the user's explanation shows it", async () => {
    const reason = "The word is harmless in this context.";
    const d = await decide(appealId, "reverse", reason);
    expect(d.status).toBe(200);
    expect(d.json).toMatchObject({ status: "decided", decision: "reversed" });
    expect(d.json.decision_record).toMatchObject({
      cause: "appeal_reversed",
      actor: "moderator",
      appeal_of: blocked.id,
    });
    expect(d.json.record.explanation.parts.appeal).toContain("reversed, and the content was restored");
    const restoredId = d.json.restored?.message_id ?? "";
    expect(restoredId).toMatch(/^msg_/);
    expect((await decide(appealId, "uphold", "changed my mind")).json.error?.message).toContain(
      "already decided",
    );

    const seen = await call<RecordJson>(candor, { token }, "GET", `/v1/interventions/${blocked.id}`);
    expect(seen.json.appeal).toMatchObject({
      status: "decided",
      decision: "reversed",
      reason,
      restored_message_id: restoredId,
    });
    expect(seen.json.explanation.title).toBe("Blocked by our filter (appeal reversed)");
    expect(seen.json.explanation.parts.appeal).toContain(`Reason: ${reason}`);
    expect(seen.json.explanation.parts.recoverable).toBe("Recoverable: yes, the content was restored.");

    const restored = await call<{ messages: Array<{ role: string; content: unknown }> }>(
      candor,
      { token },
      "POST",
      "/v1/sessions/apl-reverse/restore",
      { leaf: restoredId },
    );
    expect(restored.status).toBe(200);
    expect(restored.json.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(lastText(restored.json.messages)).toBe(original);

    // The decision is in the log: listed with the session, and its receipt verifies.
    const tree = await call<Tree>(candor, { token }, "GET", "/v1/sessions/apl-reverse");
    const added = tree.json.messages.find((m) => m.id === restoredId);
    const input = tree.json.messages.find((m) => m.role === "user");
    expect(added?.parent_id).toBe(input?.id);
    expect((await verifyOnline(candor, d.json.decision_record.receipt)).valid).toBe(true);
  });

  it("a streamed reply blocked mid-way comes back beside the shown one", async () => {
    const got = await streamed("apl-stream", `[sim:say encoding=base64] ${b64(original)}`);
    expect(got.text).toContain("[Withheld by Candor]");
    const rec = await onlyRecord(candor, { key: tenant.key }, "apl-stream", "policy_block");
    const filed = await call<Appeal>(
      candor,
      { key: tenant.key },
      "POST",
      `/v1/interventions/${rec.id}/appeal`,
      {},
    );
    expect(filed.status).toBe(200);
    const d = await decide(filed.json.id, "reverse", "fine");
    const tree = await call<Tree>(candor, { key: tenant.key }, "GET", "/v1/sessions/apl-stream");
    const shown = tree.json.messages.find((m) => m.id === rec.content.message_id);
    const added = tree.json.messages.find((m) => m.id === d.json.restored?.message_id);
    expect(added?.parent_id).toBe(shown?.parent_id);
    const text = ((added?.content ?? []) as Array<{ text: string }>)[0]?.text ?? "";
    expect(original.startsWith(text)).toBe(true);
    expect(text).toContain("zorblax");
    expect(text.length).toBeGreaterThan(lastText([{ role: "assistant", content: shown?.content }]).length);
  });

  it("an upheld appeal says so, with the reason and the next step", async () => {
    await turn(tenant.client, "apl-uphold", "say zorblax please");
    const rec = await onlyRecord(candor, { key: tenant.key }, "apl-uphold", "policy_block");
    const filed = await call<Appeal>(
      candor,
      { key: tenant.key },
      "POST",
      `/v1/interventions/${rec.id}/appeal`,
      {},
    );
    const d = await decide(filed.json.id, "uphold", "The rule applies as written.");
    expect(d.json).toMatchObject({ decision: "upheld", restored: null });
    expect(d.json.decision_record.cause).toBe("appeal_upheld");
    expect(d.json.decision_record.explanation.title).toBe("Appeal reviewed: decision upheld");
    const seen = await call<RecordJson>(candor, { key: tenant.key }, "GET", `/v1/interventions/${rec.id}`);
    expect(seen.json.explanation.parts.appeal).toContain("upheld. Reason: The rule applies as written.");
    expect(seen.json.explanation.parts.next).toContain("out-of-court dispute settlement body");
    const decided = await call<{ data: Appeal[] }>(
      candor,
      admin,
      "GET",
      "/v1/moderation/appeals?status=decided",
    );
    expect(decided.json.data.map((a) => a.id)).toContain(filed.json.id);
  });

  it("the queue is first come, first served", async () => {
    const ids: string[] = [];
    for (const s of ["apl-order-1", "apl-order-2"]) {
      await turn(tenant.client, s, "zorblax in line");
      const rec = await onlyRecord(candor, { key: tenant.key }, s, "policy_block");
      ids.push(
        (await call<Appeal>(candor, { key: tenant.key }, "POST", `/v1/interventions/${rec.id}/appeal`, {}))
          .json.id,
      );
    }
    const q = await call<{ data: Appeal[] }>(candor, admin, "GET", "/v1/moderation/appeals");
    const order = q.json.data.map((a) => a.id).filter((id) => ids.includes(id));
    expect(order).toEqual(ids);
  });

  it("only our own decisions can be appealed, with a statement of at most 4000 characters", async () => {
    await turn(tenant.client, "apl-refusal", "[sim:refusal after=2]");
    const refusal = await onlyRecord(candor, { key: tenant.key }, "apl-refusal", "upstream_refusal");
    const r = await call<Appeal>(
      candor,
      { key: tenant.key },
      "POST",
      `/v1/interventions/${refusal.id}/appeal`,
      {},
    );
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain("cannot be appealed");

    await turn(tenant.client, "apl-long", "zorblax again");
    const rec = await onlyRecord(candor, { key: tenant.key }, "apl-long", "policy_block");
    const long = await call<Appeal>(
      candor,
      { key: tenant.key },
      "POST",
      `/v1/interventions/${rec.id}/appeal`,
      {
        statement: "x".repeat(4001),
      },
    );
    expect(long.status).toBe(400);
    expect(long.json.error?.message).toContain("statement");
    const bad = await call<Appeal>(candor, admin, "POST", "/v1/moderation/appeals/apl_nope/decision", {
      decision: "reverse",
      reason: "x",
    });
    expect(bad.status).toBe(404);
  });
});
