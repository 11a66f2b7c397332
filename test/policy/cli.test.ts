import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPolicyCommand } from "../../src/cli/policy.js";

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPolicyCommand(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

const BROKEN = `id: broken
rules:
  - id: pii.email
    stages: [input]
    detector: { type: pii, kinds: [email] }
    hazard: privacy
    acton: flag
`;
const FAILING = `id: failing
rules:
  - id: kw
    stages: [input]
    detector: { type: keywords, words: [nightjar] }
    hazard: custom
    action: flag
tests:
  - { name: expects too much, text: "a nightjar", expect: block }
  - { name: fine, text: "a nightjar", expect: flag }
`;

describe("candor policy", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "candor-cli-"));
    await writeFile(join(dir, "broken.yaml"), BROKEN);
    await writeFile(join(dir, "failing.yaml"), FAILING);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("validate: exit 0 and one ok line per policy", async () => {
    const r = await run("validate", "policies/");
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(
      /^ok {4}policies\/default\.yaml: policy default v[0-9a-f]{16}, 5 rule\(s\), \d+ test\(s\); 2 inactive/,
    );
  });

  it("validate: exit 1 and the problem with file, rule and field", async () => {
    const r = await run("validate", join(dir, "broken.yaml"));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `error ${join(dir, "broken.yaml")}: rules[0] (id "pii.email"): acton: unknown field (did you mean "action"?)`,
    );
  });

  it("test: exit 0 with PASS lines and a summary for the default policy", async () => {
    const r = await run("test", "policies/default.yaml");
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith("PASS")).length).toBeGreaterThanOrEqual(15);
    expect(r.out.at(-1)).toMatch(/^policy tests: \d+ passed, 0 failed, 1 skipped$/);
  });

  it("test: exit 1 and a FAIL line saying what happened", async () => {
    const r = await run("test", join(dir, "failing.yaml"));
    expect(r.code).toBe(1);
    expect(r.out).toContain("FAIL  failing: expects too much: expected block, got flag (matched kw→flag)");
    expect(r.out).toContain("PASS  failing: fine");
    expect(r.out.at(-1)).toBe("policy tests: 1 passed, 1 failed, 0 skipped");
  });

  it.each([[[]], [["frobnicate", "policies/"]], [["test"]]])(
    "bad usage %j: exit 1 with usage",
    async (args) => {
      const r = await run(...args);
      expect(r.code).toBe(1);
      expect(r.err.join("\n")).toMatch(/usage: candor policy validate/);
    },
  );
});
