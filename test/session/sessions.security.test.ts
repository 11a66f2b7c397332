/** Tenants see only their own sessions: another tenant's session is a 404 on every route, exactly like a missing one. */
import { createHash } from "node:crypto";
import type Anthropic from "@anthropic-ai/sdk";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash, messageId } from "../../src/session/chain.js";
import { messages, sessions } from "../../src/store/schema/index.js";
import { api } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let a: Awaited<ReturnType<TestCandor["tenant"]>>;
let b: Awaited<ReturnType<TestCandor["tenant"]>>;
let explainA = "";

beforeAll(async () => {
  candor = await startTestCandor();
  a = await candor.tenant("tenant-a");
  b = await candor.tenant("tenant-b");
  const { response } = await a.client.messages
    .create(
      { model: "claude-sim-1", max_tokens: 32, messages: [{ role: "user", content: "A's private words" }] },
      { headers: { "x-candor-session": "shared-name", "x-candor-user": "alice" } },
    )
    .withResponse();
  explainA = response.headers.get("x-candor-explain") ?? "";
  await a.client.messages.create(
    { model: "claude-sim-1", max_tokens: 32, messages: [{ role: "user", content: "A's other session" }] },
    { headers: { "x-candor-session": "a-other" } },
  );
});
afterAll(() => candor.stop());

const routes: Array<[string, string, unknown?]> = [
  ["GET", "/v1/sessions/shared-name"],
  ["POST", "/v1/sessions/shared-name/restore", {}],
  ["DELETE", "/v1/sessions/shared-name"],
  ["POST", "/v1/sessions/shared-name/erase"],
  ["DELETE", "/v1/sessions/shared-name/messages/msg_x"],
];

describe("cross-tenant", () => {
  for (const [method, path, body] of routes) {
    it(`${method} ${path} with tenant B's key → 404`, async () => {
      const r = await api<{ error: { type: string } }>(candor.url, b.key, method, path, body);
      expect(r.status).toBe(404);
      expect(r.json.error.type).toBe("not_found_error");
    });
  }

  it("B's session list does not show A's sessions", async () => {
    const r = await api<{ data: Array<{ id: string }> }>(candor.url, b.key, "GET", "/v1/sessions");
    expect(r.status).toBe(200);
    expect(r.json.data.map((s) => s.id)).not.toContain("shared-name");
    const own = await api<{ data: Array<{ id: string; end_user: string }> }>(
      candor.url,
      a.key,
      "GET",
      "/v1/sessions?user=alice",
    );
    expect(own.json.data.map((s) => s.id)).toEqual(["shared-name"]);
  });

  it("the same session id in B is B's own session, separate from A's", async () => {
    await b.client.messages.create(
      { model: "claude-sim-1", max_tokens: 32, messages: [{ role: "user", content: "B's words" }] },
      { headers: { "x-candor-session": "shared-name" } },
    );
    const r = await api<{ messages: Array<{ content: unknown }> }>(
      candor.url,
      b.key,
      "POST",
      "/v1/sessions/shared-name/restore",
      {},
    );
    expect(JSON.stringify(r.json.messages)).not.toContain("A's private words");
  });
});

describe("end users with a view token", () => {
  it("see their own session only", async () => {
    const url = new URL(explainA);
    const token = url.searchParams.get("token") ?? "";
    const own = await fetch(`${candor.url}/v1/sessions/shared-name?token=${token}`);
    expect(own.status).toBe(200);
    const other = await fetch(`${candor.url}/v1/sessions/a-other?token=${token}`);
    expect(other.status).toBe(404);
    const list = await fetch(`${candor.url}/v1/sessions?token=${token}`);
    expect(list.status).toBe(403);
  });

  it("a tampered or garbage token is refused", async () => {
    const token = new URL(explainA).searchParams.get("token") ?? "";
    const [payload, sig] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()),
        sessionId: "a-other",
      }),
    ).toString("base64url");
    expect((await fetch(`${candor.url}/v1/sessions/a-other?token=${forged}.${sig}`)).status).toBe(401);
    expect((await fetch(`${candor.url}/v1/sessions/shared-name?token=abc.def`)).status).toBe(401);
    expect((await fetch(`${candor.url}/v1/sessions/shared-name`)).status).toBe(401);
  });
});

describe("what a record shows", () => {
  it("cannot confirm a guess of the content it concerns: message ids hash a secret session pk", async () => {
    const headers = { headers: { "x-candor-session": "pin" } };
    const ask = (m: Anthropic.MessageParam[]) =>
      a.client.messages.create({ model: "claude-sim-1", max_tokens: 16, messages: m }, headers);
    const first: Anthropic.MessageParam = { role: "user", content: "open the vault" };
    const reply: Anthropic.MessageParam = { role: "assistant", content: (await ask([first])).content };
    await ask([first, reply, { role: "user", content: "my PIN is 4821" }]);
    await ask([first, reply, { role: "user", content: "never mind" }]); // the PIN edited away: a recorded deletion

    const log = await api<{
      data: Array<{
        cause: string;
        content: { message_id: string };
        receipt: { record: { tenantId: string } };
      }>;
    }>(candor.url, a.key, "GET", "/v1/sessions/pin/interventions");
    expect(log.status).toBe(200);
    const deletion = log.json.data.find((r) => r.cause === "client_deletion");
    if (!deletion) throw new Error("no client_deletion record");
    const deletedId = deletion.content.message_id;
    const db = candor.db.store.db;
    const [row] = await db.select().from(messages).where(eq(messages.id, deletedId));
    const [session] = await db.select().from(sessions).where(eq(sessions.externalId, "pin"));
    const guess = contentHash("my PIN is 4821");
    // What a holder of the record could compute: a pk hashed from the tenant and session ids the record shows.
    const tenantId = deletion.receipt.record.tenantId;
    const guessablePk = `sp_${createHash("sha256").update(`${tenantId}\npin`).digest("base64url").slice(0, 22)}`;
    expect(messageId(guessablePk, row?.parentId ?? null, "user", guess)).not.toBe(deletedId);
    // The real pk (known to the database only) does reproduce it: the computation above is the right one.
    expect(messageId(String(session?.pk), row?.parentId ?? null, "user", guess)).toBe(deletedId);
  });
});
