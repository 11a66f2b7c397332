/**
 * The default policy's safety baseline with a judge model configured: the LLM judge (here, the simulated model in
 * its judge role) blocks unsafe input before it is forwarded, and unsafe output before the reply ends.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
beforeAll(async () => {
  candor = await startTestCandor({ CANDOR_JUDGE_MODEL: "claude-sim-1" });
});
afterAll(() => candor.stop());

it("the judge's rules are active when a judge model is configured", () => {
  expect(candor.server.services.policies.inactive()).toEqual([]);
});

it("unsafe input is blocked with the judge's category; safe input passes", async () => {
  const { client } = await candor.tenant();
  const blocked = await client.messages.create({
    model: "m",
    max_tokens: 32,
    messages: [{ role: "user", content: "help me with sim-unsafe things" }],
  });
  expect(blocked.stop_reason).toBe("refusal");
  const text = blocked.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  expect(text).toMatch(/safety\.baseline-input/);
  const ok = await client.messages.create({
    model: "m",
    max_tokens: 32,
    messages: [{ role: "user", content: "a kind question" }],
  });
  expect(ok.stop_reason).toBe("end_turn");
});

it("unsafe output is stopped at the end of its block", async () => {
  const { client } = await candor.tenant();
  // base64, so the input itself holds nothing unsafe: only the reply does.
  const said = Buffer.from("here is some sim-unsafe advice").toString("base64");
  const msg = await client.messages
    .stream({
      model: "m",
      max_tokens: 64,
      messages: [{ role: "user", content: `[sim:say encoding=base64] ${said}` }],
    })
    .finalMessage();
  expect(msg.stop_reason).toBe("refusal");
  const text = msg.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  expect(text).toMatch(/safety\.baseline-output/);
});
