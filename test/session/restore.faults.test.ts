/**
 * Nothing a user sent or saw is lost: for each way a reply can break, restore returns every byte the client
 * received and every input message, and the turn carries the right cause.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, lastText, streamText, until } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;

beforeAll(async () => {
  candor = await startTestCandor();
  tenant = await candor.tenant();
});
afterAll(() => candor.stop());

type Restored = {
  messages: Array<{ role: string; content: unknown }>;
  partial: { cause: string } | null;
  continuation: string | null;
};
type SessionJson = { turns: Array<{ id: string; status: string; cause: string }> };

async function endedTurn(sessionId: string, turnId: string) {
  return until(async () => {
    const s = await api<SessionJson>(candor.url, tenant.key, "GET", `/v1/sessions/${sessionId}`);
    const t = s.json.turns.find((x) => x.id === turnId);
    return t && t.status === "ended" ? t : null;
  });
}

async function restore(sessionId: string, body: Record<string, unknown> = { continuation: "prefill" }) {
  const r = await api<Restored>(candor.url, tenant.key, "POST", `/v1/sessions/${sessionId}/restore`, body);
  expect(r.status).toBe(200);
  return r.json;
}

describe("restore after a broken reply", () => {
  const cases: Array<[string, string, string]> = [
    ["upstream error mid-stream", "[sim:error_after n=6 type=overloaded_error]", "upstream_overloaded"],
    ["connection reset", "[sim:reset after=5]", "connection_reset"],
    ["upstream refusal", "[sim:refusal after=4]", "upstream_refusal"],
  ];
  for (const [name, directive, cause] of cases) {
    it(`${name}: every received byte comes back, cause ${cause}`, async () => {
      const prompt = `${directive} some words that the model will say back to us one by one`;
      const got = await streamText(tenant.client, prompt, {
        headers: { "x-candor-session": `faults-${cause}` },
      });
      expect(got.sessionId).toBe(`faults-${cause}`);
      const turn = await endedTurn(got.sessionId as string, got.turnId as string);
      expect(turn.cause).toBe(cause);
      const restored = await restore(got.sessionId as string);
      expect(restored.messages[0]).toEqual({ role: "user", content: prompt });
      if (got.text.trim()) {
        expect(restored.messages).toHaveLength(2);
        expect(lastText(restored.messages)).toBe(got.text.trimEnd());
        expect(restored.partial?.cause).toBe(cause);
      } else {
        expect(restored.messages).toHaveLength(1);
      }
    });
  }

  it("529 before any byte: the input is kept and restore gives it back to resend", async () => {
    const prompt = "[sim:status code=529] my long carefully written question";
    const got = await streamText(tenant.client, prompt, { headers: { "x-candor-session": "faults-529" } });
    expect(got.error).toBeTruthy();
    const s = await api<SessionJson>(candor.url, tenant.key, "GET", "/v1/sessions/faults-529");
    expect(s.json.turns[0]?.cause).toBe("upstream_overloaded");
    const restored = await restore("faults-529");
    expect(restored.messages).toEqual([{ role: "user", content: prompt }]);
  });

  it("client abort after k deltas: what the client read is in the restored partial", async () => {
    const got = await streamText(tenant.client, "[sim:long n=200 delay_ms=10]", {
      abortAfterDeltas: 5,
      headers: { "x-candor-session": "faults-abort" },
    });
    const turn = await endedTurn("faults-abort", got.turnId as string);
    expect(turn.cause).toBe("client_disconnect");
    const restored = await restore("faults-abort");
    expect(got.text.length).toBeGreaterThan(0);
    expect(lastText(restored.messages).startsWith(got.text.trimEnd())).toBe(true);
  });

  it("a partial reply restores as a prefill or with a continuation user turn", async () => {
    await streamText(tenant.client, "[sim:error_after n=4] one two three four five", {
      headers: { "x-candor-session": "faults-cont" },
    });
    const prefill = await restore("faults-cont", { continuation: "prefill" });
    expect(prefill.messages.at(-1)?.role).toBe("assistant");
    expect(prefill.continuation).toBe("prefill");
    const user = await restore("faults-cont", { continuation: "user_turn" });
    expect(user.messages.at(-1)?.role).toBe("user");
    expect(user.messages.at(-2)?.role).toBe("assistant");
    const without = await restore("faults-cont", { include_partial: false });
    expect(without.messages).toHaveLength(1);
  });

  it("an incomplete tool_use block is dropped and reported", async () => {
    await streamText(tenant.client, "[sim:tool] [sim:x]", {
      headers: { "x-candor-session": "faults-tool-ok" },
    });
    const got = await streamText(tenant.client, "[sim:reset after=8] calling a tool", {
      headers: { "x-candor-session": "faults-tool" },
    });
    expect(got.error).toBeTruthy();
    const r = await restore("faults-tool");
    const blocks = r.messages.flatMap((m) =>
      Array.isArray(m.content) ? (m.content as Array<{ type: string }>) : [],
    );
    expect(blocks.some((b) => b.type === "tool_use")).toBe(false);
  });
});

describe("restore during a stream", () => {
  it("a reply still streaming restores as far as it reached the client (from the journal)", async () => {
    const res = await fetch(`${candor.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": tenant.key,
        "x-candor-session": "mid-stream",
      },
      body: JSON.stringify({
        model: "m",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "[sim:long n=300 delay_ms=10]" }],
      }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let raw = "";
    while ((raw.match(/text_delta/g) ?? []).length < 10)
      raw += new TextDecoder().decode((await reader.read()).value);
    const seen = [...raw.matchAll(/"text":"([^"]*)"/g)].map((m) => m[1]).join("");
    const r = await restore("mid-stream"); // the stream is still open
    expect(r.partial?.cause).toBe("in_flight");
    expect(lastText(r.messages).startsWith(seen.trimEnd())).toBe(true);
    await reader.cancel();
  });
});

describe("restore input errors", () => {
  it("unknown session → 404; malformed restore body → 400 naming the field", async () => {
    const missing = await api(candor.url, tenant.key, "POST", "/v1/sessions/nope/restore", {});
    expect(missing.status).toBe(404);
    await streamText(tenant.client, "hello", { headers: { "x-candor-session": "restore-bad" } });
    const bad = await api<{ error: { type: string; message: string } }>(
      candor.url,
      tenant.key,
      "POST",
      "/v1/sessions/restore-bad/restore",
      {
        continuation: "sideways",
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe("invalid_request_error");
    expect(bad.json.error.message).toMatch(/continuation/);
    const typo = await api<{ error: { message: string } }>(
      candor.url,
      tenant.key,
      "POST",
      "/v1/sessions/restore-bad/restore",
      { include_partal: true },
    );
    expect(typo.status).toBe(400);
    expect(typo.json.error.message).toMatch(/include_partal/);
    const notJson = await api(candor.url, tenant.key, "POST", "/v1/sessions/restore-bad/restore", "{oops");
    expect(notJson.status).toBe(400);
  });
});
