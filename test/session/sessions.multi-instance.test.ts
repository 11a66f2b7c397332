/**
 * Candor keeps no state a request needs in the process: two instances on one PostgreSQL serve turns of the same
 * session alternately with nothing lost or duplicated. PGlite is single-process: a second instance on the same
 * data directory is refused with a clear message instead of hanging.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runRetention } from "../../src/session/retention.js";
import { openStore } from "../../src/store/db.js";
import { createInterventionRecorder } from "../../src/transparency/recorder.js";
import { api, until } from "../helpers/api.js";
import { blockWordPolicy } from "../helpers/policies.js";
import { type CandorProcess, createKey, processDatabase, startCandorProcess } from "../helpers/process.js";

let db: Awaited<ReturnType<typeof processDatabase>>;
const procs: CandorProcess[] = [];

beforeAll(async () => {
  db = await processDatabase();
});
afterAll(async () => {
  for (const p of procs) p.proc.kill("SIGKILL");
  await db.cleanup();
});

const postgres = Boolean(process.env.DATABASE_URL);

async function twoInstancesAlternate(): Promise<void> {
  const policies = mkdtempSync(join(tmpdir(), "candor-shared-policies-"));
  writeFileSync(join(policies, "default.yaml"), blockWordPolicy("alpha"));
  const env = { ...db.env, CANDOR_POLICY: policies };
  const key = createKey(env);
  const [one, two] = await Promise.all([startCandorProcess(env), startCandorProcess(env)]);
  procs.push(one, two);
  const clients = [one, two].map((p) => new Anthropic({ apiKey: key, baseURL: p.url, maxRetries: 0 }));
  const history: Anthropic.MessageParam[] = [];
  for (let i = 0; i < 6; i++) {
    history.push({ role: "user", content: `alternating turn ${i}` });
    const client = clients[i % 2] as Anthropic;
    const msg = await client.messages
      .stream(
        { model: "claude-sim-1", max_tokens: 64, messages: history },
        { headers: { "x-candor-session": "shared" } },
      )
      .finalMessage();
    history.push({ role: "assistant", content: msg.content });
  }
  for (const p of [one, two]) {
    const r = await api<{ messages: Anthropic.MessageParam[] }>(
      p.url,
      key,
      "POST",
      "/v1/sessions/shared/restore",
      {},
    );
    expect(r.json.messages).toEqual(JSON.parse(JSON.stringify(history)));
    const view = await api<{ messages: unknown[]; turns: Array<{ cause: string }> }>(
      p.url,
      key,
      "GET",
      "/v1/sessions/shared",
    );
    expect(view.json.messages).toHaveLength(1 + history.length);
    expect(view.json.turns.map((t) => t.cause)).toEqual(Array(6).fill("completed"));
  }

  // A policy change reaches both instances (each watches the file).
  writeFileSync(join(policies, "default.yaml"), blockWordPolicy("nightjar"));
  for (const client of clients) {
    await until(async () => {
      const m = await client.messages.create({
        model: "m",
        max_tokens: 8,
        messages: [{ role: "user", content: "nightjar?" }],
      });
      return m.stop_reason === "refusal";
    });
  }

  // A retention run (any instance, or a scheduled job) purges what expired; both instances see the result.
  expect((await api(one.url, key, "DELETE", "/v1/sessions/shared")).status).toBe(200);
  const store = await openStore({ databaseUrl: db.env.DATABASE_URL, dataDir: "unused", migrate: false });
  try {
    const result = await runRetention(store.db, createInterventionRecorder({ appealDays: 30 }), {
      retentionDays: 30,
      now: new Date(Date.now() + 31 * 86_400_000),
    });
    expect(result).toMatchObject({ ran: true, sessionsErased: 1 });
  } finally {
    await store.close();
  }
  for (const p of [one, two]) {
    const view = await api<{ state: string }>(p.url, key, "GET", "/v1/sessions/shared");
    expect(view.json.state).toBe("erased");
  }
}

async function secondInstanceRefused(): Promise<void> {
  const first = await startCandorProcess(db.env);
  procs.push(first);
  await expect(startCandorProcess(db.env)).rejects.toThrow(/in use by another Candor process \(pid \d+\)/);
  const r = await fetch(`${first.url}/healthz`);
  expect(r.status).toBe(200);
}

it(
  postgres
    ? "PostgreSQL: two instances alternate turns of one session (nothing lost or doubled), then reload a policy and run retention"
    : "PGlite: a second instance on the same data directory is refused, naming the holder",
  { timeout: 60_000 },
  () => (postgres ? twoInstancesAlternate() : secondInstanceRefused()),
);
