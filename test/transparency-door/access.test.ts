/**
 * Who may see what, route by route: a view token opens its own session's records only (404 elsewhere, in the
 * same tenant or another), an expired or tampered token is 401, another tenant's key is 404; moderator routes
 * are closed without CANDOR_ADMIN_TOKEN; the log's public routes need nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signViewToken } from "../../src/transparency/view-token.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { type Auth, call, onlyRecord, tokenOf, turn } from "./helpers.js";

let candor: TestCandor;
let a: Awaited<ReturnType<TestCandor["tenant"]>>;
let b: Awaited<ReturnType<TestCandor["tenant"]>>;
/** Tenant A's sessions a1, a2 and tenant B's b1: view tokens and one appealable record each. */
const seen: Record<string, { token: string; record: string }> = {};

beforeAll(async () => {
  candor = await startTestCandor();
  a = await candor.tenant();
  b = await candor.tenant();
  for (const [name, t] of [
    ["acc-a1", a],
    ["acc-a2", a],
    ["acc-b1", b],
  ] as const) {
    // A card number in the message: an input redaction by our filter, so the record is appealable.
    const res = await turn(t.client, name, "my card is 4111 1111 1111 1111");
    const token = tokenOf(res.headers.get("x-candor-explain"));
    const rec = await onlyRecord(candor, { key: t.key }, name, "policy_redact");
    seen[name] = { token, record: rec.id };
  }
});
afterAll(() => candor.stop());

const of = (name: string) => seen[name] ?? { token: "", record: "" };

/** Each principal-guarded route, for a session and its record. */
const routes = (session: string, record: string): Array<[string, string, unknown?]> => [
  ["GET", `/v1/sessions/${session}/interventions`],
  ["GET", `/v1/interventions/${record}`],
  ["POST", `/v1/interventions/${record}/appeal`, { statement: "please look again" }],
];

async function statusOf(auth: Auth, method: string, path: string, body?: unknown): Promise<number> {
  return (await call(candor, auth, method, path, body)).status;
}

describe("transparency door access", () => {
  it("a view token reads its own session's records", async () => {
    const r = await call<{ data: unknown[] }>(
      candor,
      { token: of("acc-a1").token },
      "GET",
      "/v1/sessions/acc-a1/interventions",
    );
    expect(r.status).toBe(200);
    expect(r.json.data).toHaveLength(1);
    expect(
      await statusOf({ token: of("acc-a1").token }, "GET", `/v1/interventions/${of("acc-a1").record}`),
    ).toBe(200);
  });

  it("a view token for session A cannot reach session B of the same tenant, or another tenant's → 404", async () => {
    const token = of("acc-a1").token;
    for (const other of ["acc-a2", "acc-b1"]) {
      for (const [method, path, body] of routes(other, of(other).record)) {
        expect(await statusOf({ token }, method, path, body), `${method} ${path}`).toBe(404);
      }
    }
  });

  it("tenant B's key cannot read tenant A's records → 404, on each route", async () => {
    for (const [method, path, body] of routes("acc-a1", of("acc-a1").record)) {
      expect(await statusOf({ key: b.key }, method, path, body), `${method} ${path}`).toBe(404);
    }
  });

  it("an expired or tampered token → 401, on each route", async () => {
    const secret = candor.server.services.viewSecret;
    const expired = signViewToken(
      {
        tenantId: a.id,
        sessionId: "acc-a1",
        userId: null,
        exp: Math.floor(Date.now() / 1000) - 5,
        scope: "view+appeal",
      },
      secret,
    );
    const good = of("acc-a1").token;
    // Flip one character in the middle of the MAC (the last one may only carry padding bits).
    const at = good.indexOf(".") + 10;
    const tampered = `${good.slice(0, at)}${good[at] === "A" ? "B" : "A"}${good.slice(at + 1)}`;
    for (const token of [expired, tampered]) {
      for (const [method, path, body] of routes("acc-a1", of("acc-a1").record)) {
        const r = await call<{ error: { type: string; message: string } }>(
          candor,
          { token },
          method,
          path,
          body,
        );
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(r.json.error.type).toBe("authentication_error");
      }
    }
    const r = await call<{ error: { message: string } }>(
      candor,
      { token: expired },
      "GET",
      "/v1/sessions/acc-a1/interventions",
    );
    expect(r.json.error.message).toContain("expired");
  });

  it("no credentials → 401; a view-only token cannot appeal → 403", async () => {
    for (const [method, path, body] of routes("acc-a1", of("acc-a1").record)) {
      expect(await statusOf(null, method, path, body)).toBe(401);
    }
    const viewOnly = signViewToken(
      {
        tenantId: a.id,
        sessionId: "acc-a1",
        userId: null,
        exp: Math.floor(Date.now() / 1000) + 600,
        scope: "view",
      },
      candor.server.services.viewSecret,
    );
    expect(await statusOf({ token: viewOnly }, "GET", `/v1/interventions/${of("acc-a1").record}`)).toBe(200);
    const r = await call<{ error: { type: string } }>(
      candor,
      { token: viewOnly },
      "POST",
      `/v1/interventions/${of("acc-a1").record}/appeal`,
      {},
    );
    expect(r.status).toBe(403);
    expect(r.json.error.type).toBe("permission_error");
  });

  it("moderator routes without CANDOR_ADMIN_TOKEN configured → 403 saying to set it", async () => {
    for (const [method, path] of [
      ["GET", "/v1/moderation/appeals"],
      ["POST", "/v1/moderation/appeals/apl_x/decision"],
      ["GET", `/v1/moderation/interventions/${of("acc-a1").record}`],
    ] as const) {
      const r = await call<{ error: { type: string; message: string } }>(
        candor,
        { admin: "x".repeat(32) },
        method,
        path,
      );
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.error.message).toContain("CANDOR_ADMIN_TOKEN");
    }
    // A tenant key is no moderator either.
    expect(await statusOf({ key: a.key }, "GET", "/v1/moderation/appeals")).toBe(403);
  });

  it("the log's routes are public", async () => {
    const cp = await call<{ checkpoint: { size: number }; public_key: string; key_id: string }>(
      candor,
      null,
      "GET",
      "/v1/log/checkpoint",
    );
    expect(cp.status).toBe(200);
    expect(cp.json.checkpoint.size).toBeGreaterThanOrEqual(3);
    expect(cp.json.public_key).toContain("BEGIN PUBLIC KEY");
    expect(cp.json.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(await statusOf(null, "GET", `/v1/log/consistency?from=1&to=${cp.json.checkpoint.size}`)).toBe(200);
    expect(await statusOf(null, "POST", "/v1/receipts/verify", { not: "a receipt" })).toBe(200);
  });
});
