/** Tenants see only their own sessions: another tenant's session is a 404 on every route, exactly like a missing one. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
