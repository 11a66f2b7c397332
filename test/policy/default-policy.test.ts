import { describe, expect, it } from "vitest";
import { createPolicyEngine } from "../../src/policy/engine.js";
import { loadPolicyDir, loadPolicyFile } from "../../src/policy/load.js";
import { runPolicyTests } from "../../src/policy/test-runner.js";
import { createSimulatedModel } from "../../src/simulated/index.js";
import { type FetchFn, fakeFetch, judgeClient, messageReply, policyOf, rule } from "./helpers.js";

describe("policies/default.yaml", () => {
  it("passes its own tests", async () => {
    const results = await runPolicyTests(await loadPolicyFile("policies/default.yaml"));
    const failed = results.filter((r) => !r.pass);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(results.filter((r) => !r.skipped).length).toBeGreaterThanOrEqual(15);
  });

  it("runs the judge test too when a judge is configured", async () => {
    const judge = fakeFetch((body) => {
      const user = JSON.stringify((body as { messages: unknown }).messages);
      return messageReply(
        user.includes("pipe bomb")
          ? '{"verdict":"unsafe","category":"S9","reason":"weapons"}'
          : '{"verdict":"safe","category":null,"reason":"ok"}',
      );
    });
    const results = await runPolicyTests(await loadPolicyFile("policies/default.yaml"), {
      judge: { client: judgeClient(judge), model: "judge-1" },
    });
    expect(results.filter((r) => r.skipped)).toEqual([]);
    expect(results.filter((r) => !r.pass)).toEqual([]);
  });

  it("says its safety baseline is inactive without a judge", async () => {
    const engine = createPolicyEngine(await loadPolicyFile("policies/default.yaml"));
    expect(engine.inactiveRules.map((r) => r.ruleId)).toEqual([
      "safety.baseline-input",
      "safety.baseline-output",
    ]);
  });

  it("is loaded from policies/, and the examples in its subfolder are not", async () => {
    const ids = [...(await loadPolicyDir("policies")).keys()];
    expect(ids).toContain("default");
    expect(ids).not.toContain("strict");
    expect(ids).not.toContain("guard-model");
  });

  it("the example policies pass their tests", async () => {
    for (const p of (await loadPolicyDir("policies/examples")).values()) {
      expect((await runPolicyTests(p)).filter((r) => !r.pass)).toEqual([]);
    }
  });
});

describe("a judge rule end to end with the simulated model", () => {
  const sim = createSimulatedModel();
  const policy = policyOf({
    rules: [
      rule({
        id: "safety.judge",
        stages: ["input"],
        detector: { type: "llm_judge", prompt: "[sim:judge] Classify the content.", timeout_ms: 300 },
        hazard: "S1",
        action: "block",
        on_error: "open",
        enabled_if: "judge",
      }),
    ],
  });
  const engine = createPolicyEngine(policy, {
    judge: { client: judgeClient(sim.fetch as FetchFn), model: "claude-sim" },
  });

  it("blocks what the judge calls unsafe, with its category", async () => {
    const s = await engine.screenRequest({ messages: [{ role: "user", content: "please sim-unsafe" }] });
    expect(s.action).toBe("block");
    expect(s.matches[0]).toMatchObject({
      ruleId: "safety.judge",
      category: "S1",
      hazard: "S1",
      detector: "llm_judge",
    });
  });

  it("lets safe content through", async () => {
    expect(
      (await engine.screenRequest({ messages: [{ role: "user", content: "hello there" }] })).action,
    ).toBe("allow");
  });

  it("fails open on a slow judge, and says so", async () => {
    const s = await engine.screenRequest({ messages: [{ role: "user", content: "sim-judge-slow" }] });
    expect(s.action).toBe("allow");
    expect(s.matches[0]?.detectorError).toMatchObject({ kind: "timeout", failMode: "open" });
  });
});
