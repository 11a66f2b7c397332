/**
 * A hard kill mid-stream loses nothing the client saw: after SIGKILL and restart, the turn that was in flight is
 * closed with cause proxy_crash and its journaled output restores — every character the client had received.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { api, lastText, until } from "../helpers/api.js";
import { type CandorProcess, createKey, processDatabase, startCandorProcess } from "../helpers/process.js";

let db: Awaited<ReturnType<typeof processDatabase>>;
let running: CandorProcess | null = null;

beforeAll(async () => {
  db = await processDatabase();
});
afterAll(async () => {
  running?.proc.kill("SIGKILL");
  await db.cleanup();
});

it("SIGKILL after k deltas, restart: the turn is recovered as proxy_crash and restores what the client got", {
  timeout: 60_000,
}, async () => {
  const key = createKey(db.env);
  running = await startCandorProcess(db.env);
  const client = new Anthropic({ apiKey: key, baseURL: running.url, maxRetries: 0 });
  const victim = running;
  let deltas = 0;
  const received = { text: "" };
  const stream = await client.messages.create(
    {
      model: "claude-sim-1",
      max_tokens: 100,
      stream: true,
      messages: [{ role: "user", content: "[sim:long n=400 delay_ms=15] crash me" }],
    },
    { headers: { "x-candor-session": "killed-mid" } },
  );
  try {
    for await (const e of stream) {
      if (e.type === "content_block_delta" && e.delta.type === "text_delta") {
        received.text += e.delta.text;
        if (++deltas === 8) victim.proc.kill("SIGKILL");
      }
    }
  } catch {
    // the connection dies with the process
  }
  expect(await victim.exited).toBe(null);
  expect(received.text.length).toBeGreaterThan(0);

  running = await startCandorProcess(db.env);
  expect(running.stderr()).toMatch(/recovered 1 turn/);
  const view = await until(async () => {
    const r = await api<{ turns: Array<{ cause: string; status: string }> }>(
      running?.url ?? "",
      key,
      "GET",
      "/v1/sessions/killed-mid",
    );
    return r.status === 200 ? r.json : null;
  });
  expect(view.turns[0]).toMatchObject({ status: "ended", cause: "proxy_crash" });
  const restored = await api<{
    messages: Array<{ role: string; content: unknown }>;
    partial: { cause: string };
  }>(running.url, key, "POST", "/v1/sessions/killed-mid/restore", { continuation: "prefill" });
  expect(restored.json.partial.cause).toBe("proxy_crash");
  // Strict durability: what reached the client was journaled first, so the restored text covers all of it.
  expect(lastText(restored.json.messages).startsWith(received.text.trimEnd())).toBe(true);
  // The record explains it as our failure, not a safety decision, and says the partial reply is saved.
  const log = await api<{ data: Array<{ cause: string; actor: string; explanation: { text: string } }> }>(
    running.url,
    key,
    "GET",
    "/v1/sessions/killed-mid/interventions",
  );
  const crash = log.json.data.find((r) => r.cause === "proxy_crash");
  expect(crash?.actor).toBe("proxy");
  expect(crash?.explanation.text).toMatch(/not a safety decision/i);
  running.proc.kill("SIGTERM");
  await running.exited;
  running = null;
});
