/**
 * Receipts prove a record is the one in the log: they verify online and offline (`candor verify`), a record
 * changed in the database no longer verifies, erasure removes the content but leaves old receipts valid, and the
 * log's checkpoints are consistent with each other (it only grew).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVerifyCommand } from "../../src/cli/verify.js";
import { type Checkpoint, verifyCheckpoint } from "../../src/transparency/checkpoint.js";
import { verifyConsistency } from "../../src/transparency/merkle.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { call, onlyRecord, type RecordJson, turn, verifyOnline } from "./helpers.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;
let dir: string;
let keyFile: string;
let publicKey: string;

type Head = { checkpoint: Checkpoint; public_key: string; key_id: string };

beforeAll(async () => {
  candor = await startTestCandor();
  tenant = await candor.tenant();
  dir = await mkdtemp(join(tmpdir(), "candor-receipts-"));
  await turn(tenant.client, "rc-first", "[sim:max_tokens n=3] a first record for the log");
  const head = await call<Head>(candor, null, "GET", "/v1/log/checkpoint");
  publicKey = head.json.public_key;
  keyFile = join(dir, "operator-key.pem");
  await writeFile(keyFile, publicKey);
});
afterAll(async () => {
  await candor.stop();
  await rm(dir, { recursive: true, force: true });
});

async function fetchRecord(id: string): Promise<RecordJson> {
  const r = await call<RecordJson>(candor, { key: tenant.key }, "GET", `/v1/interventions/${id}`);
  expect(r.status).toBe(200);
  return r.json;
}

async function verifyCli(receipt: unknown, withKey = true) {
  const file = join(dir, `receipt-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(receipt));
  const out: string[] = [];
  const code = await runVerifyCommand(withKey ? [file, "--key", keyFile] : [file], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
  });
  return { code, out: out.join("\n"), file };
}

/** Rows, whichever driver ran the query (postgres.js: an array; PGlite: { rows }). */
async function rows(query: ReturnType<typeof sql>): Promise<Array<Record<string, unknown>>> {
  const r = await candor.db.store.db.execute(query);
  return (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
}

describe("receipts", () => {
  it("a record's receipt verifies against the server's key, online and with candor verify", async () => {
    const rec = await onlyRecord(candor, { key: tenant.key }, "rc-first", "length_limit");
    const online = await verifyOnline(candor, rec.receipt);
    expect(online).toEqual({
      valid: true,
      checks: { shape: true, inclusion: true, signature: true, trustedKey: true },
    });
    // The record as returned (its receipt inside) is accepted too.
    expect((await verifyOnline(candor, rec)).valid).toBe(true);

    const cli = await verifyCli(rec.receipt);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain(`VALID: record ${rec.id} (length_limit)`);
    expect(cli.out).toMatch(/inclusion\s+ok/);
    expect(cli.out).toMatch(/trusted key\s+ok/);
    const noKey = await verifyCli(rec.receipt, false);
    expect(noKey.code).toBe(0);
    expect(noKey.out).toContain("trusted key  not checked");
  });

  it("the candor command exits 1 for a forged receipt, naming the failed check", async () => {
    const rec = await onlyRecord(candor, { key: tenant.key }, "rc-first", "length_limit");
    const forged = structuredClone(rec.receipt) as { record: { decisionFacts: string } };
    forged.record.decisionFacts = "Nothing happened here.";
    const bad = await verifyCli(forged);
    expect(bad.code).toBe(1);
    // The real command, as an auditor runs it (exit code included).
    const tsx = join(process.cwd(), "node_modules/.bin/tsx");
    const run = await promisify(execFile)(tsx, [
      "src/cli/main.ts",
      "verify",
      bad.file,
      "--key",
      keyFile,
    ]).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`INVALID: record ${rec.id}`);
    expect(run.stdout).toMatch(/inclusion\s+FAILED/);
  }, 20_000);

  it("changing one byte of a stored record breaks its freshly fetched receipt (and only its)", async () => {
    await turn(tenant.client, "rc-tamper", "[sim:context_limit n=3] to be tampered with");
    await turn(tenant.client, "rc-witness", "[sim:context_limit n=3] left alone");
    const victim = await onlyRecord(candor, { key: tenant.key }, "rc-tamper", "context_limit");
    const witness = await onlyRecord(candor, { key: tenant.key }, "rc-witness", "context_limit");
    expect((await verifyOnline(candor, victim.receipt)).valid).toBe(true);

    await candor.db.store.db.execute(
      sql`update interventions set record = jsonb_set(record, '{decisionFacts}', '"The conversation was fine."'::jsonb) where id = ${victim.id}`,
    );
    const fresh = await fetchRecord(victim.id);
    expect(fresh.receipt).not.toEqual(victim.receipt);
    const result = await verifyOnline(candor, fresh.receipt);
    expect(result.valid).toBe(false);
    expect(result.checks.inclusion).toBe(false);
    expect((await verifyCli(fresh.receipt)).code).toBe(1);
    expect((await verifyOnline(candor, (await fetchRecord(witness.id)).receipt)).valid).toBe(true);
  });

  it("after erasure old receipts still verify and the content is gone from every table", async () => {
    const marker = `ultramarine-pelican-${Date.now().toString(36)}`;
    await turn(tenant.client, "rc-erase", `[sim:max_tokens n=40] ${marker} is what I wrote`);
    const before = await onlyRecord(candor, { key: tenant.key }, "rc-erase", "length_limit");
    const tables = await rows(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    const holding = async () => {
      const found: string[] = [];
      for (const { table_name } of tables) {
        const t = sql.identifier(String(table_name));
        const [hit] = await rows(
          sql`select count(*)::int as n from ${t} as x where x::text like ${`%${marker}%`}`,
        );
        if (Number(hit?.n) > 0) found.push(String(table_name));
      }
      return found;
    };
    expect(await holding()).toEqual(expect.arrayContaining(["messages", "journal"]));

    expect((await call(candor, { key: tenant.key }, "POST", "/v1/sessions/rc-erase/erase")).status).toBe(200);
    expect(await holding()).toEqual([]);
    expect((await verifyOnline(candor, before.receipt)).valid).toBe(true);
    const after = await fetchRecord(before.id);
    expect((await verifyOnline(candor, after.receipt)).valid).toBe(true);
    expect(after.receipt).toHaveProperty("record", before.receipt.record);
  });

  it("a consistency proof links two signed checkpoints", async () => {
    const first = (await call<Head>(candor, null, "GET", "/v1/log/checkpoint")).json.checkpoint;
    await turn(tenant.client, "rc-grow", "[sim:max_tokens n=2] grow the log");
    await turn(tenant.client, "rc-grow", "[sim:status code=529]");
    const second = (await call<Head>(candor, null, "GET", "/v1/log/checkpoint")).json.checkpoint;
    expect(second.size).toBeGreaterThan(first.size);

    const r = await call<{
      from: number;
      to: number;
      proof: string[];
      old_checkpoint: Checkpoint;
      new_checkpoint: Checkpoint;
    }>(candor, null, "GET", `/v1/log/consistency?from=${first.size}&to=${second.size}`);
    expect(r.status).toBe(200);
    expect(r.json.old_checkpoint).toEqual(first);
    expect(r.json.new_checkpoint).toEqual(second);
    expect(verifyCheckpoint(r.json.old_checkpoint, publicKey)).toBe(true);
    expect(verifyCheckpoint(r.json.new_checkpoint, publicKey)).toBe(true);
    const root = (cp: Checkpoint) => Buffer.from(cp.rootHash, "base64");
    const proof = r.json.proof.map((p) => Buffer.from(p, "base64"));
    expect(verifyConsistency(first.size, second.size, root(first), root(second), proof)).toBe(true);
    // The same proof does not link the new tree to a forged old root.
    expect(verifyConsistency(first.size, second.size, root(second), root(second), proof)).toBe(false);
  });

  it("bad sizes → 400", async () => {
    const size = (await call<Head>(candor, null, "GET", "/v1/log/checkpoint")).json.checkpoint.size;
    for (const q of ["from=3&to=2", `from=1&to=${size + 1}`, "from=abc", "", "from=0"]) {
      const r = await call<{ error: { type: string } }>(candor, null, "GET", `/v1/log/consistency?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error.type).toBe("invalid_request_error");
    }
  });
});
