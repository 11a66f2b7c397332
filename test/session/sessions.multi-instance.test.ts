/**
 * Candor keeps no state a request needs in the process: two instances on one PostgreSQL serve turns of the same
 * session alternately with nothing lost or duplicated. PGlite is single-process: a second instance on the same
 * data directory is refused with a clear message instead of hanging.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { api } from "../helpers/api.js";
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
  const key = createKey(db.env);
  const [one, two] = await Promise.all([startCandorProcess(db.env), startCandorProcess(db.env)]);
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
    ? "PostgreSQL: two instances alternate turns of one session, nothing lost or doubled"
    : "PGlite: a second instance on the same data directory is refused, naming the holder",
  { timeout: 60_000 },
  () => (postgres ? twoInstancesAlternate() : secondInstanceRefused()),
);
