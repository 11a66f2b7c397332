/**
 * The database goes away between turns — PostgreSQL: every connection to Candor's database is terminated, as a
 * server restart does (without disturbing the other test files sharing the server); PGlite: the embedded database
 * restarts with its process. The next turn works and the whole conversation restores.
 */
import Anthropic from "@anthropic-ai/sdk";
import postgres from "postgres";
import { expect, it } from "vitest";
import { api } from "../helpers/api.js";
import { createKey, processDatabase, startCandorProcess } from "../helpers/process.js";

it("a database restart between turns loses nothing", { timeout: 60_000 }, async () => {
  const db = await processDatabase();
  const key = createKey(db.env);
  let candor = await startCandorProcess(db.env);
  try {
    const history: Anthropic.MessageParam[] = [{ role: "user", content: "before the restart" }];
    const ask = () =>
      new Anthropic({ apiKey: key, baseURL: candor.url, maxRetries: 0 }).messages.create(
        { model: "claude-sim-1", max_tokens: 64, messages: history },
        { headers: { "x-candor-session": "db-restart" } },
      );
    history.push({ role: "assistant", content: (await ask()).content });

    if (db.env.DATABASE_URL) {
      const name = new URL(db.env.DATABASE_URL).pathname.slice(1);
      const admin = postgres(process.env.DATABASE_URL as string, { max: 1, onnotice: () => {} });
      const killed =
        await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`;
      await admin.end();
      expect(killed.length).toBeGreaterThan(0);
    } else {
      candor.proc.kill("SIGTERM");
      expect(await candor.exited).toBe(0);
      candor = await startCandorProcess(db.env);
    }

    history.push({ role: "user", content: "after the restart" });
    let reply: Anthropic.Message | null = null;
    for (let attempt = 0; attempt < 3 && !reply; attempt++) {
      try {
        reply = await ask();
      } catch (err) {
        // A request caught on a connection being torn down fails cleanly, in Anthropic's shape; the app retries.
        expect((err as { status?: number }).status).toBeGreaterThanOrEqual(500);
      }
    }
    history.push({ role: "assistant", content: reply?.content ?? [] });
    const r = await api<{ messages: Anthropic.MessageParam[] }>(
      candor.url,
      key,
      "POST",
      "/v1/sessions/db-restart/restore",
      {},
    );
    expect(r.json.messages).toEqual(JSON.parse(JSON.stringify(history)));
  } finally {
    candor.proc.kill("SIGTERM");
    await candor.exited;
    await db.cleanup();
  }
});
