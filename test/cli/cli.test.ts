/**
 * The `candor` command as an operator uses it: keys on a fresh database (the key alone on stdout), migrate, and
 * sessions list/show/export/restore read from the database with the server stopped.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, processDatabase, startCandorProcess } from "../helpers/process.js";

let db: Awaited<ReturnType<typeof processDatabase>>;

function candor(args: string[]) {
  return spawnSync(process.execPath, ["dist/src/cli/main.js", ...args], {
    env: baseEnv(db.env),
    encoding: "utf8",
    timeout: 30_000,
  });
}

let key = "";

beforeAll(async () => {
  db = await processDatabase();
  const r = candor(["keys", "create", "--tenant", "acme"]);
  expect(r.status).toBe(0);
  key = r.stdout.trim();
  const server = await startCandorProcess(db.env);
  const client = new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });
  await client.messages.create(
    { model: "claude-sim-1", max_tokens: 32, messages: [{ role: "user", content: "remember this line" }] },
    { headers: { "x-candor-session": "cli-ok", "x-candor-user": "u1" } },
  );
  await client.messages
    .stream(
      {
        model: "claude-sim-1",
        max_tokens: 32,
        messages: [{ role: "user", content: "[sim:error_after n=3] cut off here please" }],
      },
      { headers: { "x-candor-session": "cli-broken" } },
    )
    .finalMessage()
    .catch(() => {});
  server.proc.kill("SIGTERM");
  await server.exited;
}, 90_000);
afterAll(() => db.cleanup());

describe("candor keys and migrate", () => {
  it("keys create prints the key alone on stdout and works on a fresh database", () => {
    expect(key).toMatch(/^cnd_[A-Za-z0-9_-]{32}$/);
    const again = candor(["keys", "create", "--tenant", "acme"]);
    expect(again.stdout.trim()).toMatch(/^cnd_/);
    expect(again.stdout.trim()).not.toBe(key);
    expect(again.stderr).toMatch(/shown only this once/);
  });

  it("bad usage says what is expected", () => {
    const r = candor(["keys", "create"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--tenant NAME is required/);
    expect(candor(["frobnicate"]).status).toBe(2);
  });

  it("keys list shows ids and prefixes, never a key; revoke by id makes the key refused", async () => {
    const extra = candor(["keys", "create", "--tenant", "acme"]).stdout.trim();
    const list = candor(["keys", "list", "--tenant", "acme"]);
    expect(list.status).toBe(0);
    expect(list.stdout).not.toContain(extra);
    const line = list.stdout.split("\n").find((l) => l.includes(`${extra.slice(0, 10)}…`));
    expect(line).toMatch(/^key_\S+\tcnd_\S+…\t\S+\tactive$/);
    const id = String(line?.split("\t")[0]);

    const revoked = candor(["keys", "revoke", id]);
    expect(revoked.status).toBe(0);
    expect(revoked.stderr).toMatch(/Revoked key_.*within 5 seconds/);
    expect(candor(["keys", "list", "--tenant", "acme"]).stdout).toMatch(new RegExp(`${id}\t.*\trevoked `));
    expect(candor(["keys", "revoke", id]).status).toBe(1); // already revoked: said, not silently accepted

    const server = await startCandorProcess(db.env);
    try {
      const refused = await new Anthropic({ apiKey: extra, baseURL: server.url, maxRetries: 0 }).messages
        .create({ model: "claude-sim-1", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Anthropic.AuthenticationError);
      const still = new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });
      await expect(still.models.list()).resolves.toBeDefined(); // the tenant's other key still works
    } finally {
      server.proc.kill("SIGTERM");
      await server.exited;
    }
  }, 60_000);

  it("keys revoke and list say what is wrong with bad input", () => {
    expect(candor(["keys", "revoke"]).status).toBe(2);
    const unknown = candor(["keys", "revoke", "key_nope"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no active key matches/);
    const noTenant = candor(["keys", "list", "--tenant", "nobody-here"]);
    expect(noTenant.status).toBe(1);
    expect(noTenant.stderr).toMatch(/no tenant named "nobody-here"/);
  });

  it("migrate applies migrations and says so", () => {
    const r = candor(["migrate"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/Migrations applied/);
  });
});

describe("candor sessions", () => {
  it("list shows both sessions with their state; --state filters", () => {
    const r = candor(["sessions", "list", "--tenant", "acme"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/cli-ok\tactive/);
    expect(r.stdout).toMatch(/cli-broken\tinterrupted\t1\tupstream_overloaded/);
    const only = candor(["sessions", "list", "--tenant", "acme", "--state", "interrupted"]);
    expect(only.stdout).not.toMatch(/cli-ok/);
  });

  it("show and export give the session as JSON", () => {
    const show = candor(["sessions", "show", "cli-ok", "--tenant", "acme"]);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: "cli-ok", end_user: "u1", state: "active" });
    const out = join(tmpdir(), `candor-export-${process.pid}.json`);
    const exp = candor(["sessions", "export", "cli-ok", "--tenant", "acme", "--out", out]);
    expect(exp.status).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).messages.length).toBe(3);
  });

  it("restore prints a request body ready to resend, partial reply included", () => {
    const r = candor([
      "sessions",
      "restore",
      "cli-broken",
      "--tenant",
      "acme",
      "--continuation",
      "user_turn",
    ]);
    expect(r.status).toBe(0);
    const body = JSON.parse(r.stdout) as {
      model: string;
      max_tokens: number;
      messages: Array<{ role: string }>;
    };
    expect(body.model).toBe("claude-sim-1");
    expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const missing = candor(["sessions", "show", "nope", "--tenant", "acme"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no session nope/);
  });
});
