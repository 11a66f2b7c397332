import { describe, expect, it } from "vitest";
import { runAsyncDetector } from "../../../src/policy/async-run.js";
import { createClassifierDetector, parseGuardReply } from "../../../src/policy/detectors/classifier.js";
import { createWebhookDetector } from "../../../src/policy/detectors/webhook.js";
import { fakeFetch, hang, json } from "../helpers.js";

const ctx = { ruleId: "r1", stage: "output" as const, signal: new AbortController().signal };
const completion = (content: string) => json({ choices: [{ message: { role: "assistant", content } }] });

describe("classifier detector (Llama Guard over chat completions)", () => {
  const def = {
    type: "classifier" as const,
    base_url: "http://guard.test/v1/",
    model: "llama-guard-3",
    timeout_ms: 500,
  };

  it("posts the text as one user message to <base_url>/chat/completions", async () => {
    let url = "";
    const f = fakeFetch(() => completion("safe"));
    const wrapped = (async (u: string | URL | Request, init?: RequestInit) => {
      url = String(u);
      return f(u, init);
    }) as typeof fetch;
    await createClassifierDetector(def, wrapped).check("hello", ctx);
    expect(url).toBe("http://guard.test/v1/chat/completions");
    expect(f.calls[0]).toEqual({ model: "llama-guard-3", messages: [{ role: "user", content: "hello" }] });
  });

  it.each([
    ["safe", "no_match", undefined],
    ["unsafe\nS1", "match", "S1"],
    ["unsafe\nS1,S10", "match", "S1,S10"],
    ["  UNSAFE \n S9 ", "match", "S9"],
  ])("reads %j", (reply, verdict, category) => {
    const r = parseGuardReply(reply, 5);
    expect(r.verdict).toBe(verdict);
    expect(r.data?.category).toBe(category);
  });

  it("ignores categories the rule does not list", () => {
    expect(parseGuardReply("unsafe\nS12", 5, ["S1", "S9"]).verdict).toBe("no_match");
    expect(parseGuardReply("unsafe\nS12,S9", 5, ["S1", "S9"]).data?.category).toBe("S9");
  });

  it.each([
    ["an unexpected reply", () => completion("I cannot help with that")],
    ["an HTTP error", () => json({ error: "down" }, 503)],
    ["a non-completion body", () => json({ nope: true })],
  ])("fails on %s", async (_name, answer) => {
    await expect(createClassifierDetector(def, fakeFetch(answer)).check("x", ctx)).rejects.toThrow();
  });
});

describe("webhook detector", () => {
  const def = {
    type: "webhook" as const,
    url: "http://hook.test/check",
    timeout_ms: 100,
    headers: { "x-key": "k" },
  };

  it("posts {rule, stage, text} and reads spans and category", async () => {
    const f = fakeFetch(() => json({ verdict: "match", spans: [{ start: 6, end: 11 }], category: "S10" }));
    const r = await createWebhookDetector(def, f).check("hello world", ctx);
    expect(f.calls[0]).toEqual({ rule: "r1", stage: "output", text: "hello world" });
    expect(r).toEqual({ verdict: "match", data: { spans: [{ start: 6, end: 11 }], category: "S10" } });
  });

  it("a match without spans covers the whole text", async () => {
    const r = await createWebhookDetector(
      def,
      fakeFetch(() => json({ verdict: "match" })),
    ).check("abc", ctx);
    expect(r.data?.spans).toEqual([{ start: 0, end: 3 }]);
  });

  it.each([
    ["a span past the text", { verdict: "match", spans: [{ start: 0, end: 99 }] }],
    ["an unknown verdict", { verdict: "yes" }],
  ])("rejects %s", async (_name, body) => {
    await expect(
      createWebhookDetector(
        def,
        fakeFetch(() => json(body)),
      ).check("abc", ctx),
    ).rejects.toThrow();
  });

  it("times out", async () => {
    const d = createWebhookDetector(
      def,
      fakeFetch((_b, init) => hang(init)),
    );
    const r = await runAsyncDetector(d, "abc", { ruleId: "r1", stage: "input" });
    expect(r.error).toEqual({ kind: "timeout", message: "no answer within 100 ms" });
  });
});
