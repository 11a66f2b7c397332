/**
 * `candor interventions export --format dsa`: one statement of reasons per decision of ours (blocks, redactions),
 * none for flags or the provider's refusals, and no content or personal data in any of them.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInterventionsCommand } from "../../src/cli/interventions.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { b64, recordsOf, turn } from "./helpers.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;
let dir: string;
const ours = new Set<string>();
const notOurs = new Set<string>();

beforeAll(async () => {
  candor = await startTestCandor({ CANDOR_POLICY: "test/fixtures/policies/transparency-door.yaml" });
  tenant = await candor.tenant();
  dir = await mkdtemp(join(tmpdir(), "candor-export-"));
  await turn(tenant.client, "ex-block", `[sim:say encoding=base64] ${b64("a zorblax reply")}`);
  await turn(tenant.client, "ex-card", "card 4111 1111 1111 1111 and mail jane.doe@example.com");
  await turn(tenant.client, "ex-refusal", "[sim:refusal after=2]");
  for (const s of ["ex-block", "ex-card", "ex-refusal"]) {
    for (const r of await recordsOf(candor, { key: tenant.key }, s)) {
      (["policy_block", "policy_redact"].includes(r.cause) ? ours : notOurs).add(r.id);
    }
  }
});
afterAll(async () => {
  await candor.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runInterventionsCommand(
    args,
    { out: (s) => out.push(s), err: (s) => err.push(s) },
    { store: candor.db.store },
  );
  return { code, out, err: err.join("\n") };
}

describe("candor interventions export --format dsa", () => {
  it("writes a JSON array of statements for our decisions only, with no content or ids", async () => {
    expect(ours.size).toBeGreaterThanOrEqual(2);
    expect(notOurs.size).toBeGreaterThanOrEqual(2); // the flag and the refusal
    const file = join(dir, "dsa.json");
    const r = await run("export", "--format", "dsa", "--out", file, "--platform", "Example Chat");
    expect(r.code).toBe(0);
    expect(r.err).toContain(`Exported ${ours.size} DSA statement(s)`);
    const text = await readFile(file, "utf8");
    const statements = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(new Set(statements.map((s) => s.puid))).toEqual(ours);
    for (const s of statements) {
      expect(s).toMatchObject({
        decision_ground: "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        decision_visibility: ["DECISION_VISIBILITY_CONTENT_DISABLED"],
        automated_decision: "AUTOMATED_DECISION_FULLY",
        source_type: "SOURCE_VOLUNTARY",
        platform_name: "Example Chat",
      });
    }
    for (const secret of [tenant.id, "ex-block", "ex-card", "4111", "jane.doe", "zorblax"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("--jsonl writes one statement per line to stdout; --since filters by date", async () => {
    const lines = await run("export", "--format", "dsa", "--jsonl");
    expect(lines.code).toBe(0);
    expect(lines.out.map((l) => (JSON.parse(l) as { puid: string }).puid).sort()).toEqual([...ours].sort());

    const future = await run(
      "export",
      "--format",
      "dsa",
      "--since",
      new Date(Date.now() + 3_600_000).toISOString(),
    );
    expect(future.out.join("")).toBe("[]");
    expect(future.err).toContain("Exported 0 DSA statement(s) from 0 record(s)");
  });

  it("refuses a missing format or a bad date (exit 2)", async () => {
    expect((await run("export")).code).toBe(2);
    expect((await run("export", "--format", "dsa", "--since", "yesterday")).code).toBe(2);
    expect((await run("import")).code).toBe(2);
  });
});
