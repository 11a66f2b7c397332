import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  loadPolicyDir,
  loadPolicyFile,
  PolicyError,
  parsePolicy,
  watchPolicies,
} from "../../src/policy/load.js";

const VALID = `id: p1
rules:
  - id: pii.email
    stages: [input]
    detector: { type: pii, kinds: [email] }
    hazard: privacy
    action: flag
`;

function issuesOf(source: string, file = "policies/x.yaml"): string[] {
  try {
    parsePolicy(source, file);
  } catch (err) {
    if (err instanceof PolicyError) return err.issues;
    throw err;
  }
  throw new Error("expected a PolicyError");
}

const withRule = (ruleYaml: string) =>
  `id: p1\nrules:\n  - id: ok.rule\n    stages: [input]\n    detector: { type: secrets }\n    hazard: secrets\n    action: redact\n${ruleYaml}`;

describe("policy validation errors name the file, the rule and the field", () => {
  it.each([
    [
      "an unknown detector type",
      withRule(
        "  - id: pii.email\n    stages: [input]\n    detector: { type: regx }\n    hazard: privacy\n    action: flag\n",
      ),
      'policies/x.yaml: rules[1] (id "pii.email"): detector.type: expected one of keywords|regex|pii|secrets|llm_judge|classifier|webhook, got "regx"',
    ],
    [
      "a typo'd field",
      VALID.replace("action: flag", "acton: flag"),
      'policies/x.yaml: rules[0] (id "pii.email"): acton: unknown field (did you mean "action"?)',
    ],
    [
      "a typo'd detector option",
      VALID.replace("kinds: [email]", "kinds: [email], defualt_country: US"),
      'policies/x.yaml: rules[0] (id "pii.email"): detector.defualt_country: unknown field (did you mean "default_country"?)',
    ],
    [
      "a bad enum value",
      VALID.replace("action: flag", "action: hide"),
      'policies/x.yaml: rules[0] (id "pii.email"): action: expected one of allow|flag|warn|redact|block, got "hide"',
    ],
    [
      "a bad list item",
      VALID.replace("kinds: [email]", "kinds: [emial]"),
      'policies/x.yaml: rules[0] (id "pii.email"): detector.kinds[0]: expected one of email|phone|card|iban|ssn|ip, got "emial"',
    ],
    [
      "a missing field",
      VALID.replace("    hazard: privacy\n", ""),
      'policies/x.yaml: rules[0] (id "pii.email"): hazard: required: one of S1|S2|S3',
    ],
    [
      "an invalid regex",
      withRule(
        "  - id: r\n    stages: [input]\n    detector: { type: regex, patterns: ['ok', '(unclosed'] }\n    hazard: custom\n    action: flag\n",
      ),
      'policies/x.yaml: rules[1] (id "r"): detector.patterns[1]: invalid regular expression',
    ],
    [
      "an unknown placeholder",
      VALID.replace("action: flag", "action: flag\n    explanation: 'hid {cout} items'"),
      'policies/x.yaml: rules[0] (id "pii.email"): explanation: unknown placeholder {cout}',
    ],
    [
      "a duplicate rule id",
      withRule(
        "  - id: ok.rule\n    stages: [input]\n    detector: { type: secrets }\n    hazard: secrets\n    action: flag\n",
      ),
      'policies/x.yaml: rules[1] (id "ok.rule"): id: duplicate rule id',
    ],
    [
      "a top-level typo",
      `${VALID}windw_chars: 10\n`,
      'policies/x.yaml: windw_chars: unknown field (did you mean "window_chars"?)',
    ],
    [
      "a test naming an unknown rule",
      `${VALID}tests:\n  - { text: a, expect: flag, rules: [nope] }\n`,
      'policies/x.yaml: tests[0]: rules[0]: no rule with id "nope"',
    ],
    ["YAML syntax", "id: p1\nrules: [\n", "policies/x.yaml: YAML:"],
  ])("%s", (_name, source, expected) => {
    const issues = issuesOf(source);
    expect(
      issues.some((i) => i.startsWith(expected)),
      issues.join("\n"),
    ).toBe(true);
  });

  it("reports every problem at once", () => {
    const issues = issuesOf(VALID.replace("action: flag", "action: hide\n    hazzard: x"));
    expect(issues).toHaveLength(2);
  });

  it("accepts a valid policy and fills defaults", () => {
    const p = parsePolicy(VALID, "p.yaml");
    expect(p).toMatchObject({ id: "p1", file: "p.yaml", source: VALID });
    expect(p.def.window_chars).toBe(64);
    expect(p.def.rules[0]?.on_error).toBe("closed");
  });
});

describe("policy version", () => {
  it("is a content hash: stable across formatting and comments, changed by content", () => {
    const v = parsePolicy(VALID, "a.yaml").version;
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    const reformatted = `# a comment\n${VALID.replace("{ type: pii, kinds: [email] }", "\n      type: pii\n      kinds:\n        - email")}`;
    expect(parsePolicy(reformatted, "b.yaml").version).toBe(v);
    expect(parsePolicy(VALID.replace("flag", "warn"), "a.yaml").version).not.toBe(v);
  });
});

describe("loading from disk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "candor-policy-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads *.yaml and *.yml directly in a folder, not in subfolders", async () => {
    await writeFile(join(dir, "a.yaml"), VALID);
    await writeFile(join(dir, "b.yml"), VALID.replace("id: p1", "id: p2"));
    await writeFile(join(dir, "notes.txt"), "not a policy");
    await mkdir(join(dir, "examples"));
    await writeFile(join(dir, "examples", "c.yaml"), VALID.replace("id: p1", "id: p3"));
    expect([...(await loadPolicyDir(dir)).keys()].sort()).toEqual(["p1", "p2"]);
  });

  it("loads a single file", async () => {
    await writeFile(join(dir, "a.yaml"), VALID);
    expect([...(await loadPolicyDir(join(dir, "a.yaml"))).keys()]).toEqual(["p1"]);
    expect((await loadPolicyFile(join(dir, "a.yaml"))).file).toBe(join(dir, "a.yaml"));
  });

  it("rejects duplicate policy ids across files, naming both", async () => {
    await writeFile(join(dir, "a.yaml"), VALID);
    await writeFile(join(dir, "b.yaml"), VALID);
    await expect(loadPolicyDir(dir)).rejects.toThrow(
      /b\.yaml: id: duplicate policy id "p1" \(also in .*a\.yaml\)/,
    );
  });

  it("reports a missing path as a PolicyError", async () => {
    await expect(loadPolicyDir(join(dir, "nope"))).rejects.toBeInstanceOf(PolicyError);
    await expect(loadPolicyFile(join(dir, "nope.yaml"))).rejects.toThrow(/cannot read \(ENOENT\)/);
  });
});

describe("watchPolicies", () => {
  let dir: string;
  let stop: (() => void) | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "candor-watch-"));
    await writeFile(join(dir, "a.yaml"), VALID);
  });
  afterEach(async () => {
    stop?.();
    await rm(dir, { recursive: true, force: true });
  });

  function events() {
    const seen: Array<{ kind: "change"; versions: string[] } | { kind: "error"; issues: string[] }> = [];
    const next = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const tick = () =>
          seen.length >= n
            ? resolve()
            : Date.now() - t0 > 4000
              ? reject(new Error("no event"))
              : setTimeout(tick, 10);
        tick();
      });
    const handlers = {
      onChange: (set: Map<string, { version: string }>) =>
        seen.push({ kind: "change", versions: [...set.values()].map((p) => p.version) }),
      onError: (err: PolicyError) => seen.push({ kind: "error", issues: err.issues }),
    };
    return { seen, next, handlers };
  }

  it("reloads on a change, reports a broken file and keeps going, and reloads on SIGHUP", async () => {
    const { seen, next, handlers } = events();
    stop = watchPolicies(dir, handlers, { debounceMs: 20 });
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(join(dir, "a.yaml"), VALID.replace("flag", "warn"));
    await next(1);
    expect(seen[0]?.kind).toBe("change");

    await writeFile(join(dir, "a.yaml"), VALID.replace("action: flag", "acton: flag"));
    await next(2);
    expect(seen[1]).toMatchObject({ kind: "error" });
    const issues = (seen[1] as { issues: string[] }).issues;
    expect(
      issues.some((i) => /a\.yaml: rules\[0\].*acton: unknown field/.test(i)),
      issues.join("\n"),
    ).toBe(true);

    await writeFile(join(dir, "a.yaml"), VALID);
    await next(3);
    process.emit("SIGHUP", "SIGHUP");
    await next(4);
    expect(seen.slice(2).map((e) => e.kind)).toEqual(["change", "change"]);
  });
});
