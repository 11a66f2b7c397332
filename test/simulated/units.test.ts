import { describe, expect, it } from "vitest";
import { intParam, parseDirective } from "../../src/simulated/directive.js";
import { errorTypeForStatus, statusForErrorType } from "../../src/simulated/errors.js";
import { judgeVerdictText } from "../../src/simulated/judge.js";
import { listModels } from "../../src/simulated/models-catalog.js";
import { planToFrames, type ReplyPlan } from "../../src/simulated/plan.js";
import { countInputTokens, readLastUserTurn } from "../../src/simulated/request.js";
import { planReply } from "../../src/simulated/scenarios.js";
import { chunkCodePoints } from "../../src/simulated/text.js";

describe("directive grammar", () => {
  it("parses name, params and rest (one space consumed, leading whitespace ignored)", () => {
    expect(parseDirective("  \n[sim:say chunk=3 delay_ms=10]  two spaces")).toEqual({
      name: "say",
      params: { chunk: "3", delay_ms: "10" },
      rest: " two spaces",
    });
    expect(parseDirective("[sim:tool]")).toEqual({ name: "tool", params: {}, rest: "" });
    expect(parseDirective("[sim:say encoding=base64] aGk=")?.params.encoding).toBe("base64");
  });

  it("finds no directive unless it opens the text", () => {
    expect(parseDirective("hello [sim:say] x")).toBeNull();
    expect(parseDirective("[simsay] x")).toBeNull();
    expect(parseDirective("[sim:say")).toBeNull();
  });

  it("falls back to defaults for bad integers", () => {
    const d = parseDirective("[sim:long n=abc]");
    expect(intParam(d, "n", 50)).toBe(50);
    expect(intParam(parseDirective("[sim:long n=7]"), "n", 50)).toBe(7);
  });
});

describe("request reading", () => {
  it("takes the directive from the first text block of the LAST user message", () => {
    const turn = readLastUserTurn([
      { role: "user", content: "[sim:say] old" },
      { role: "assistant", content: "ok" },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "result text" }] },
          { type: "text", text: "[sim:long n=2]" },
        ],
      },
    ]);
    expect(turn.firstText).toBe("[sim:long n=2]");
    expect(turn.allText).toBe("result text\n[sim:long n=2]");
    expect(turn.blockCounts).toEqual([
      ["tool_result", 1],
      ["text", 1],
    ]);
  });

  it("counts tokens over system, messages and tools", () => {
    const base = { system: "", tools: [], messages: [{ role: "user", content: "12345678" }] };
    expect(countInputTokens(base)).toBe(2);
    expect(countInputTokens({ ...base, system: [{ type: "text", text: "abcd" }] })).toBe(3);
    expect(countInputTokens({ ...base, tools: [{ name: "t" }] })).toBeGreaterThan(2);
  });
});

describe("text chunking", () => {
  it("chunks by code point", () => {
    expect(chunkCodePoints("ab😀cd", 2)).toEqual(["ab", "😀c", "d"]);
    expect(chunkCodePoints("", 4)).toEqual([]);
  });
});

describe("status and error types", () => {
  it("maps codes to Anthropic types and back", () => {
    expect(errorTypeForStatus(529)).toBe("overloaded_error");
    expect(errorTypeForStatus(503)).toBe("api_error");
    expect(errorTypeForStatus(418)).toBe("invalid_request_error");
    expect(statusForErrorType("rate_limit_error")).toBe(429);
    expect(statusForErrorType("overloaded_error")).toBe(529);
  });

  it("plans status replies with a type inferred from the code, or a code from the type", () => {
    const req = (text: string) => ({
      model: "m",
      maxTokens: 10,
      stream: false,
      messages: [{ role: "user", content: text }],
      system: undefined,
      tools: [],
      raw: {},
    });
    expect(planReply(req("[sim:status code=413]"), 0)).toMatchObject({
      status: 413,
      errorType: "request_too_large",
    });
    expect(planReply(req("[sim:status type=rate_limit_error]"), 0)).toMatchObject({
      status: 429,
      headers: { "retry-after": "1" },
    });
  });
});

describe("judge verdicts", () => {
  it("is case-insensitive and lets garbage win", () => {
    expect(JSON.parse(judgeVerdictText("xx Sim-Unsafe xx")).verdict).toBe("unsafe");
    expect(JSON.parse(judgeVerdictText("fine")).verdict).toBe("safe");
    expect(() => JSON.parse(judgeVerdictText("sim-unsafe sim-judge-garbage"))).toThrow();
  });
});

describe("frames", () => {
  it("leaves the last block open when the stream ends in an error", () => {
    const plan: ReplyPlan = {
      model: "m",
      inputTokens: 1,
      deltaDelayMs: 0,
      initialDelayMs: 0,
      blocks: [{ start: { type: "text", text: "" }, items: [{ delta: { type: "text_delta", text: "a" } }] }],
      ending: { kind: "error", errorType: "overloaded_error", message: "Overloaded" },
    };
    const names = planToFrames(plan, "msg_1").map((f) => (f.kind === "event" ? f.event : f.kind));
    expect(names).toEqual(["message_start", "content_block_start", "ping", "content_block_delta", "error"]);
  });
});

describe("models catalog", () => {
  it("pages with limit / after_id / before_id", () => {
    const all = listModels({});
    expect(all.has_more).toBe(false);
    const first = listModels({ limit: "2" });
    expect(first).toMatchObject({ has_more: true, first_id: all.data[0]?.id, last_id: all.data[1]?.id });
    const second = listModels({ limit: "2", after_id: first.last_id ?? "" });
    expect(second.data.map((m) => m.id)).toEqual(all.data.slice(2, 4).map((m) => m.id));
    const before = listModels({ limit: "1", before_id: all.data[2]?.id ?? "" });
    expect(before.data.map((m) => m.id)).toEqual([all.data[1]?.id]);
  });
});
