/**
 * Sessions without app changes: apps resend the whole history every turn, yet each message is stored once; an
 * edited turn makes a branch (the old one stays, recorded as a client deletion); SDK retries duplicate nothing.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainOf } from "../../src/session/chain.js";
import { messages, sessions, turns } from "../../src/store/schema/index.js";
import { insertMessages } from "../../src/store/sessions.js";
import { api, lastText } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;

beforeAll(async () => {
  candor = await startTestCandor();
  tenant = await candor.tenant();
});
afterAll(() => candor.stop());

async function counts(externalId: string) {
  const db = candor.db.store.db;
  const [s] = await db.select().from(sessions).where(eq(sessions.externalId, externalId));
  if (!s) throw new Error(`no session ${externalId}`);
  const [m] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(eq(messages.sessionPk, s.pk));
  const [t] = await db.select({ n: sql<number>`count(*)::int` }).from(turns).where(eq(turns.sessionPk, s.pk));
  return { messages: Number(m?.n), turns: Number(t?.n) };
}

async function converse(client: Anthropic, n: number, session?: string, topic = session ?? "default") {
  const history: Anthropic.MessageParam[] = [];
  let sessionId = "";
  for (let i = 0; i < n; i++) {
    history.push({ role: "user", content: `${topic} turn ${i}: tell me something` });
    const { data, response } = await client.messages
      .create(
        { model: "claude-sim-1", max_tokens: 64, messages: history },
        session ? { headers: { "x-candor-session": session } } : {},
      )
      .withResponse();
    sessionId = response.headers.get("x-candor-session") ?? "";
    history.push({ role: "assistant", content: data.content });
  }
  return { history, sessionId };
}

describe("storage grows with the conversation, not with what is resent", () => {
  it("a 20-turn conversation resent in full every turn stores each message once", async () => {
    const { sessionId, history } = await converse(tenant.client, 20);
    expect(sessionId).toMatch(/^ses_/); // derived from the conversation itself: the app sent no session header
    const c = await counts(sessionId);
    expect(c.turns).toBe(20);
    expect(c.messages).toBe(1 + history.length); // the system root + 40 messages
  });

  it("replies resent as plain strings, or with cache_control moved, are the same messages", async () => {
    const { sessionId, history } = await converse(tenant.client, 2, undefined, "respelled");
    const asStrings = history.map((m) =>
      m.role === "assistant"
        ? { role: m.role, content: lastText([m]) }
        : {
            role: m.role,
            content: [{ type: "text", text: m.content as string, cache_control: { type: "ephemeral" } }],
          },
    );
    await tenant.client.messages.create({
      model: "claude-sim-1",
      max_tokens: 64,
      messages: [...asStrings, { role: "user", content: "and now?" }],
    } as never);
    const c = await counts(sessionId);
    expect(c.messages).toBe(1 + history.length + 2);
  });
});

describe("sessions stored before pks were derived from their key", () => {
  it("keep their chain: what was stored under the old pk is found, not stored again", async () => {
    // A session row whose pk is not the one derived from its key, with its first message stored under it,
    // as rows written before that change are.
    const db = candor.db.store.db;
    await converse(tenant.client, 1, "probe-legacy"); // a session of this tenant, to read the tenant's id from
    const [probe] = await db.select().from(sessions).where(eq(sessions.externalId, "probe-legacy"));
    if (!probe) throw new Error("no probe session");
    const pk = "sp_legacy_random_pk";
    await db.insert(sessions).values({ pk, tenantId: probe.tenantId, externalId: "legacy", derived: false });
    const first = { role: "user" as const, content: "legacy turn 0: tell me something" };
    await insertMessages(db, pk, chainOf(pk, undefined, [first]), "input");

    await tenant.client.messages.create(
      { model: "claude-sim-1", max_tokens: 64, messages: [first] },
      { headers: { "x-candor-session": "legacy" } },
    );
    const c = await counts("legacy");
    expect(c.turns).toBe(1);
    expect(c.messages).toBe(3); // the root and the user message found where they were, plus the reply
  });
});

describe("branches", () => {
  it("editing an earlier turn makes a branch; both branches restore; the drop is recorded", async () => {
    const { history, sessionId } = await converse(tenant.client, 6, "branching");
    const edited: Anthropic.MessageParam[] = [
      ...history.slice(0, 4),
      { role: "user", content: "turn 2, rephrased" },
    ];
    // (the first message stays the same: with a derived session id, editing the very first message starts a new session)
    await tenant.client.messages.create(
      { model: "claude-sim-1", max_tokens: 64, messages: edited },
      { headers: { "x-candor-session": sessionId } },
    );

    const view = await api<{
      branches: string[];
      messages: Array<{ id: string; role: string; content: unknown }>;
    }>(candor.url, tenant.key, "GET", `/v1/sessions/${sessionId}`);
    expect(view.json.branches).toHaveLength(2);
    const restored = await Promise.all(
      view.json.branches.map((leaf) =>
        api<{ messages: Anthropic.MessageParam[] }>(
          candor.url,
          tenant.key,
          "POST",
          `/v1/sessions/${sessionId}/restore`,
          { leaf },
        ),
      ),
    );
    const lengths = restored.map((r) => r.json.messages.length).sort((a, b) => a - b);
    expect(lengths).toEqual([6, 12]);
    const old = restored.find((r) => r.json.messages.length === 12);
    expect(old?.json.messages.map((m) => m.content)).toEqual(
      history.map((m) => JSON.parse(JSON.stringify(m.content))),
    );

    const log = await api<{ data: Array<{ cause: string; actor: string }> }>(
      candor.url,
      tenant.key,
      "GET",
      `/v1/sessions/${sessionId}/interventions`,
    );
    expect(log.status).toBe(200);
    expect(log.json.data.some((r) => r.cause === "client_deletion" && r.actor === "client")).toBe(true);
  });

  it("a regeneration (same history, new reply) is a sibling, not a deletion", async () => {
    const { sessionId } = await converse(tenant.client, 1, "regen");
    await tenant.client.messages.create(
      {
        model: "claude-sim-1",
        max_tokens: 64,
        messages: [{ role: "user", content: "regen turn 0: tell me something" }],
      },
      { headers: { "x-candor-session": sessionId } },
    );
    const c = await counts(sessionId);
    expect(c.turns).toBe(2);
    expect(c.messages).toBe(3); // same deterministic reply: one node
  });
});

describe("retries", () => {
  it("the SDK's own retries of an identical request store the message once", async () => {
    const retrying = candor.client(tenant.key, { maxRetries: 2 });
    const before = candor.sim.stats.messageRequests;
    await expect(
      retrying.messages.create(
        {
          model: "claude-sim-1",
          max_tokens: 64,
          messages: [{ role: "user", content: "[sim:status code=529] retried" }],
        },
        { headers: { "x-candor-session": "retries" } },
      ),
    ).rejects.toThrow();
    expect(candor.sim.stats.messageRequests - before).toBe(3);
    const c = await counts("retries");
    expect(c.turns).toBe(3); // every attempt is a recorded turn…
    expect(c.messages).toBe(2); // …but the user's message is stored once (plus the system root)
  });

  it("an identical request sent twice stores nothing twice", async () => {
    const body = {
      model: "claude-sim-1",
      max_tokens: 64,
      messages: [{ role: "user" as const, content: "same again" }],
    };
    await tenant.client.messages.create(body, { headers: { "x-candor-session": "twice" } });
    await tenant.client.messages.create(body, { headers: { "x-candor-session": "twice" } });
    expect((await counts("twice")).messages).toBe(3);
  });
});
