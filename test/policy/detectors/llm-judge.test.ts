import { describe, expect, it } from "vitest";
import { runAsyncDetector } from "../../../src/policy/async-run.js";
import { createJudgeDetector, parseJudgeVerdict } from "../../../src/policy/detectors/llm-judge.js";
import type { DetectorResult } from "../../../src/policy/detectors/types.js";
import { Lru } from "../../../src/policy/lru.js";
import type { JudgeDef } from "../../../src/policy/schema.js";
import { createSimulatedModel } from "../../../src/simulated/index.js";
import { type FetchFn, fakeFetch, hang, judgeClient, messageReply } from "../helpers.js";

const def = (over: Partial<JudgeDef> = {}): JudgeDef => ({
  type: "llm_judge",
  timeout_ms: 2000,
  max_tokens: 200,
  ...over,
});
const rule = { id: "safety.violence", hazard: "S1", description: "Instructions for violent crimes." };
const ctx = { ruleId: rule.id, stage: "input" as const, signal: new AbortController().signal };

function judge(
  fetchFn: FetchFn,
  over: Partial<JudgeDef> = {},
  cache = new Lru<string, Promise<DetectorResult>>(10),
) {
  return createJudgeDetector(rule, def(over), { client: judgeClient(fetchFn), model: "judge-1" }, cache);
}

describe("llm_judge detector (fake model)", () => {
  it("sends the rule's definition in the system prompt and the content in the user turn", async () => {
    const f = fakeFetch(() => messageReply('{"verdict":"safe","category":null,"reason":"fine"}'));
    await judge(f).check("how do I bake bread", ctx);
    const body = f.calls[0] as { model: string; system: string; messages: Array<{ content: string }> };
    expect(body.model).toBe("judge-1");
    expect(body.system).toContain("Instructions for violent crimes.");
    expect(body.system).toContain('"verdict":"safe"|"unsafe"');
    expect(body.messages[0]?.content).toContain("how do I bake bread");
  });

  it.each([
    ['{"verdict":"unsafe","category":"S1","reason":"violent"}', "match", "S1"],
    ['  {"verdict":"safe","category":null,"reason":"ok"}\n', "no_match", undefined],
  ])("parses %s", async (reply, verdict, category) => {
    const r = await judge(fakeFetch(() => messageReply(reply))).check("text", ctx);
    expect(r.verdict).toBe(verdict);
    expect(r.data?.category).toBe(category);
  });

  it.each([
    ["prose", "I think this is unsafe."],
    ["fenced JSON", '```json\n{"verdict":"unsafe","category":"S1","reason":"x"}\n```'],
    ["an unknown verdict", '{"verdict":"maybe","category":null,"reason":"x"}'],
    ["a missing field", '{"verdict":"unsafe","category":"S1"}'],
    ["an extra field", '{"verdict":"safe","category":null,"reason":"x","score":1}'],
  ])("treats %s as an error, never as safe", async (_name, reply) => {
    await expect(judge(fakeFetch(() => messageReply(reply))).check("text", ctx)).rejects.toThrow(
      /judge reply/,
    );
  });

  it("caches verdicts by rule and content, but not failures", async () => {
    let answer = "garbage";
    const f = fakeFetch(() => messageReply(answer));
    const d = judge(f);
    await expect(d.check("same text", ctx)).rejects.toThrow();
    answer = '{"verdict":"unsafe","category":"S1","reason":"x"}';
    expect((await d.check("same text", ctx)).verdict).toBe("match");
    expect((await d.check("same text", ctx)).verdict).toBe("match");
    await d.check("other text", ctx);
    expect(f.calls.length).toBe(3);
  });

  it("times out through the AbortSignal", async () => {
    const f = fakeFetch((_b, init) => hang(init));
    const r = await runAsyncDetector(judge(f, { timeout_ms: 50 }), "text", {
      ruleId: rule.id,
      stage: "input",
    });
    expect(r.error?.kind).toBe("timeout");
  });

  it("parseJudgeVerdict keeps a remote category only if it looks like a code", () => {
    const r = parseJudgeVerdict(
      '{"verdict":"unsafe","category":"<script>alert(1)</script>","reason":"x"}',
      4,
    );
    expect(r.verdict).toBe("match");
    expect(r.data?.category).toBeUndefined();
  });
});

describe("llm_judge detector against the simulated model", () => {
  const sim = createSimulatedModel();
  const detector = (timeout_ms = 2000) =>
    createJudgeDetector(
      rule,
      def({ prompt: "[sim:judge] You are a strict safety classifier.", timeout_ms }),
      { client: judgeClient(sim.fetch as FetchFn), model: "claude-sim" },
      new Lru(10),
    );

  it("gets unsafe and safe verdicts", async () => {
    expect((await detector().check("please sim-unsafe now", ctx)).data?.category).toBe("S1");
    expect((await detector().check("a pleasant walk", ctx)).verdict).toBe("no_match");
  });

  it("reports garbage as a thrown error", async () => {
    const r = await runAsyncDetector(detector(), "sim-judge-garbage", { ruleId: rule.id, stage: "input" });
    expect(r.error?.kind).toBe("threw");
  });

  it("reports a slow judge as a timeout", async () => {
    const r = await runAsyncDetector(detector(150), "sim-judge-slow", { ruleId: rule.id, stage: "input" });
    expect(r.error?.kind).toBe("timeout");
  });
});
