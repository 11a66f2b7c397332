/**
 * Deletion is soft first (restorable until a stated date); erasure is explicit and final, leaves a tombstone, and
 * the retention job purges what expired. "Gone" is checked by searching every table for the text.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRetention } from "../../src/session/retention.js";
import { api } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;

beforeAll(async () => {
  candor = await startTestCandor({ CANDOR_RETENTION_DAYS: "7" });
  tenant = await candor.tenant();
});
afterAll(() => candor.stop());

async function say(session: string, text: string) {
  await tenant.client.messages.create(
    { model: "claude-sim-1", max_tokens: 64, messages: [{ role: "user", content: text }] },
    { headers: { "x-candor-session": session } },
  );
}

/** Every table and column where the text could be, as text. */
async function tablesContaining(needle: string): Promise<string[]> {
  const db = candor.db.store.db;
  const found: string[] = [];
  for (const table of ["messages", "journal", "turns", "withheld_content", "interventions", "sessions"]) {
    const r = await db.execute(
      sql.raw(`select count(*)::int as n from ${table} t where t::text like '%${needle}%'`),
    );
    const rows = (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<{ n: number }>;
    if (Number(rows[0]?.n) > 0) found.push(table);
  }
  return found;
}

describe("soft deletion", () => {
  it("a deleted session still restores until its date, and restoring brings it back", async () => {
    await say("to-delete", "precious draft alpha");
    const del = await api<{ restorable_until: string }>(
      candor.url,
      tenant.key,
      "DELETE",
      "/v1/sessions/to-delete",
    );
    expect(del.status).toBe(200);
    const days = (Date.parse(del.json.restorable_until) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    const view = await api<{ state: string }>(candor.url, tenant.key, "GET", "/v1/sessions/to-delete");
    expect(view.json.state).toBe("deleted");
    const r = await api<{ messages: Array<{ content: unknown }> }>(
      candor.url,
      tenant.key,
      "POST",
      "/v1/sessions/to-delete/restore",
      {},
    );
    expect(r.json.messages[0]?.content).toBe("precious draft alpha");
    expect(
      (await api<{ state: string }>(candor.url, tenant.key, "GET", "/v1/sessions/to-delete")).json.state,
    ).toBe("active");
  });

  it("one message can be deleted, and is marked so", async () => {
    await say("msg-delete", "one message to remove");
    const view = await api<{ messages: Array<{ id: string; role: string }> }>(
      candor.url,
      tenant.key,
      "GET",
      "/v1/sessions/msg-delete",
    );
    const user = view.json.messages.find((m) => m.role === "user");
    const del = await api(candor.url, tenant.key, "DELETE", `/v1/sessions/msg-delete/messages/${user?.id}`);
    expect(del.status).toBe(200);
    const after = await api<{ messages: Array<{ id: string; status: string }> }>(
      candor.url,
      tenant.key,
      "GET",
      "/v1/sessions/msg-delete",
    );
    expect(after.json.messages.find((m) => m.id === user?.id)?.status).toBe("deleted");
    expect(
      (await api(candor.url, tenant.key, "DELETE", "/v1/sessions/msg-delete/messages/msg_nope")).status,
    ).toBe(404);
  });

  it("the retention job purges what expired, and only that", async () => {
    await say("expiring", "expiring secret words zeta");
    await say("kept", "kept words eta");
    await api(candor.url, tenant.key, "DELETE", "/v1/sessions/expiring");
    await api(candor.url, tenant.key, "DELETE", "/v1/sessions/kept");
    const recorder = candor.server.services.deps.interventions;
    const db = candor.db.store.db;
    const soon = await runRetention(db, recorder, {
      retentionDays: 7,
      now: new Date(Date.now() + 86_400_000),
    });
    expect(soon.messagesErased).toBe(0);
    await api(candor.url, tenant.key, "POST", "/v1/sessions/kept/restore", {}); // undeleted before expiry
    const later = await runRetention(db, recorder, {
      retentionDays: 7,
      now: new Date(Date.now() + 8 * 86_400_000),
    });
    expect(later.ran).toBe(true);
    expect(later.sessionsErased).toBeGreaterThanOrEqual(1);
    expect(await tablesContaining("secret words zeta")).toEqual([]);
    expect(await tablesContaining("kept words eta")).not.toEqual([]);
    const view = await api<{ state: string }>(candor.url, tenant.key, "GET", "/v1/sessions/expiring");
    expect(view.json.state).toBe("erased");
    const log = await api<{ data: Array<{ cause: string; actor: string; explanation: { text: string } }> }>(
      candor.url,
      tenant.key,
      "GET",
      "/v1/sessions/expiring/interventions",
    );
    const expiry = log.json.data.find((r) => r.cause === "retention_expiry");
    expect(expiry?.actor).toBe("operator");
    expect(expiry?.explanation.text).toMatch(/7-day|7 days|retention/i);
  });
});

describe("erasure", () => {
  it("purges the content from every table and leaves a tombstone with a content hash", async () => {
    await say("to-erase", "my medical history omega");
    expect(await tablesContaining("medical history omega")).toContain("messages");
    const r = await api<{ erased: boolean; messages_erased: number }>(
      candor.url,
      tenant.key,
      "POST",
      "/v1/sessions/to-erase/erase",
    );
    expect(r.status).toBe(200);
    expect(r.json.messages_erased).toBeGreaterThan(0);
    expect(await tablesContaining("medical history omega")).toEqual([]);
    const view = await api<{
      state: string;
      messages: Array<{ content: unknown; content_hash: string; status: string }>;
    }>(candor.url, tenant.key, "GET", "/v1/sessions/to-erase");
    expect(view.json.state).toBe("erased");
    const tomb = view.json.messages.find((m) => m.status === "erased" && m.content_hash);
    expect(tomb?.content).toBeNull();
    expect(tomb?.content_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
