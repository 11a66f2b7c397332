import { describe, expect, it } from "vitest";
import { createPolicyEngine } from "../../src/policy/engine.js";
import type { Action, MessagesRequestLike } from "../../src/policy/types.js";
import { fakeFetch, hang, json, policyOf, rule } from "./helpers.js";

const CARD = "4111 1111 1111 1111";
const cardRule = (action: Action, stages = ["input", "output", "system", "tool_use", "tool_result"]) =>
  rule({
    id: "privacy.cards",
    stages,
    detector: { type: "pii", kinds: ["card"] },
    hazard: "privacy",
    action,
    label: "card number",
  });

const engineWith = (...rules: Array<Record<string, unknown>>) => createPolicyEngine(policyOf({ rules }));

/** A conversation with a card number in an OLD user message, plus clean later turns. */
function conversation(): MessagesRequestLike {
  return {
    model: "claude-x",
    max_tokens: 100,
    system: [{ type: "text", text: "You are helpful." }],
    messages: [
      { role: "user", content: `first: my card is ${CARD}` },
      { role: "assistant", content: [{ type: "text", text: "Noted." }] },
      { role: "user", content: [{ type: "text", text: "and now something else" }] },
    ],
  };
}

describe("screenRequest: actions", () => {
  it.each<[Action, boolean]>([
    ["allow", false],
    ["flag", false],
    ["warn", false],
    ["redact", true],
    ["block", false],
  ])("a %s rule sets the screening's action (request changed: %s)", async (action, changed) => {
    const s = await engineWith(cardRule(action)).screenRequest(conversation());
    expect(s.action).toBe(action);
    expect(s.matches.map((m) => [m.ruleId, m.action])).toEqual([["privacy.cards", action]]);
    expect(s.changed).toBe(changed);
  });

  it("takes the most severe action over all matches", async () => {
    const s = await engineWith(
      cardRule("flag"),
      rule({ id: "kw", detector: { type: "keywords", words: ["something"] }, action: "warn" }),
    ).screenRequest(conversation());
    expect(s.action).toBe("warn");
  });

  it("allows and returns the same object when nothing matches", async () => {
    const req: MessagesRequestLike = { messages: [{ role: "user", content: "hello" }] };
    const s = await engineWith(cardRule("redact")).screenRequest(req);
    expect(s).toMatchObject({ action: "allow", matches: [], changed: false });
    expect(s.request).toBe(req);
  });
});

describe("screenRequest: redaction", () => {
  it("redacts into a deep copy with markers and leaves the original untouched", async () => {
    const req = conversation();
    const before = structuredClone(req);
    const s = await engineWith(cardRule("redact")).screenRequest(req);
    expect(s.request).not.toBe(req);
    expect(req).toEqual(before);
    expect(s.request.messages[0]?.content).toBe("first: my card is [redacted: card number]");
    expect(s.request.messages[2]).toEqual(req.messages[2]);
    expect(s.request.model).toBe("claude-x");
  });

  it("points the match at the message, block and offsets, and explains without the matched text", async () => {
    const s = await engineWith(cardRule("redact")).screenRequest(conversation());
    const m = s.matches[0];
    expect(m?.location).toEqual({
      messageIndex: 0,
      blockIndex: null,
      start: 18,
      end: 37,
      path: ["messages", 0, "content"],
    });
    expect(m?.explanation).toContain("privacy.cards");
    expect(m?.explanation).not.toContain(CARD);
    expect(m?.explanation).not.toContain("4111");
    expect(m?.policyVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it("renders the rule's own explanation with its placeholders", async () => {
    const r = {
      ...cardRule("redact"),
      explanation: "Hid {count} {label}(s) by {rule} ({hazard}, {policy} v{version}).",
    };
    const p = policyOf({ rules: [r] });
    const s = await createPolicyEngine(p).screenRequest({
      messages: [{ role: "user", content: `${CARD} and 5500 0000 0000 0004` }],
    });
    expect(s.matches[0]?.explanation).toBe(
      `Hid 2 card number(s) by privacy.cards (privacy, test v${p.version}).`,
    );
  });
});

describe("screenRequest: the whole conversation", () => {
  const cases: Array<[string, MessagesRequestLike, string, unknown]> = [
    [
      "the system prompt (string)",
      { system: `card ${CARD}`, messages: [] },
      "system",
      { messageIndex: null, blockIndex: null },
    ],
    [
      "the system prompt (blocks)",
      {
        system: [
          { type: "text", text: "a" },
          { type: "text", text: CARD },
        ],
        messages: [],
      },
      "system",
      { messageIndex: null, blockIndex: 1 },
    ],
    [
      "a tool_result with string content",
      { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: CARD }] }] },
      "tool_result",
      { messageIndex: 0, blockIndex: 0 },
    ],
    [
      "a tool_result with nested text blocks",
      {
        messages: [
          { role: "user", content: "q" },
          {
            role: "user",
            content: [
              { type: "text", text: "x" },
              {
                type: "tool_result",
                tool_use_id: "t",
                content: [
                  { type: "image", source: {} },
                  { type: "text", text: CARD },
                ],
              },
            ],
          },
        ],
      },
      "tool_result",
      { messageIndex: 1, blockIndex: 1, path: ["messages", 1, "content", 1, "content", 1, "text"] },
    ],
    [
      "a document with a text source",
      {
        messages: [
          { role: "user", content: [{ type: "document", source: { type: "text", data: `doc ${CARD}` } }] },
        ],
      },
      "input",
      { messageIndex: 0, blockIndex: 0, path: ["messages", 0, "content", 0, "source", "data"] },
    ],
    [
      "an assistant tool_use input in history",
      {
        messages: [
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "pay", input: { card: CARD } }] },
        ],
      },
      "tool_use",
      { messageIndex: 0, blockIndex: 0 },
    ],
    [
      "assistant text in history",
      {
        messages: [
          { role: "assistant", content: `card ${CARD}` },
          { role: "user", content: "ok" },
        ],
      },
      "output",
      { messageIndex: 0, blockIndex: null },
    ],
  ];

  it.each(cases)("finds a match in %s", async (_name, req, stage, location) => {
    const s = await engineWith(cardRule("flag")).screenRequest(req);
    expect(s.matches).toHaveLength(1);
    expect(s.matches[0]?.stage).toBe(stage);
    expect(s.matches[0]?.location).toMatchObject(location as object);
  });

  it("applies a rule only on its stages", async () => {
    const s = await engineWith(cardRule("flag", ["output"])).screenRequest(conversation());
    expect(s.matches).toEqual([]);
  });

  it("counts what it could not read", async () => {
    const s = await engineWith(cardRule("flag")).screenRequest({
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: {} },
            { type: "document", source: { type: "base64" } },
          ],
        },
        { role: "assistant", content: [{ type: "redacted_thinking", data: "x" }] },
      ],
    });
    expect(s.skipped).toEqual({ images: 1, documents: 1, redactedThinking: 1, other: 0 });
  });

  it("redacts inside a tool_use input and keeps it an object", async () => {
    const req: MessagesRequestLike = {
      messages: [
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "t", name: "pay", input: { card: CARD, n: 1 } }],
        },
      ],
    };
    const s = await engineWith(cardRule("redact")).screenRequest(req);
    expect((s.request.messages[0]?.content as Array<{ input: unknown }> | undefined)?.[0]?.input).toEqual({
      card: "[redacted: card number]",
      n: 1,
    });
  });

  it("blocks instead when a tool_use match is not inside a JSON string", async () => {
    const req: MessagesRequestLike = {
      messages: [
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "t", name: "pay", input: { card: 4111111111111111 } }],
        },
      ],
    };
    const s = await engineWith(cardRule("redact")).screenRequest(req);
    expect(s.action).toBe("block");
    expect(s.matches[0]?.escalated?.from).toBe("redact");
    expect(s.changed).toBe(false);
  });

  it("blocks instead of redacting thinking in history (signatures)", async () => {
    const r = { ...cardRule("redact", ["output"]), thinking: true };
    const s = await engineWith(r).screenRequest({
      messages: [
        { role: "assistant", content: [{ type: "thinking", thinking: `card ${CARD}`, signature: "sig" }] },
      ],
    });
    expect(s.action).toBe("block");
    expect(s.changed).toBe(false);
  });
});

describe("screenRequest: detector failures (on_error)", () => {
  const webhookRule = (on_error: "open" | "closed", action: Action = "block") =>
    rule({
      id: "hook",
      detector: { type: "webhook", url: "http://hook.test", timeout_ms: 60 },
      action,
      on_error,
    });
  const throwing = fakeFetch(() => {
    throw new Error("connection refused");
  });
  const timingOut = fakeFetch((_b, init) => hang(init));

  const fetches = { throwing, "timing-out": timingOut };

  it.each([
    ["throwing", "closed", "block", "threw"],
    ["throwing", "open", "allow", "threw"],
    ["timing-out", "closed", "block", "timeout"],
    ["timing-out", "open", "allow", "timeout"],
  ] as const)("a %s detector failing %s acts as %s and is reported", async (name, onError, action, kind) => {
    const engine = createPolicyEngine(policyOf({ rules: [webhookRule(onError)] }), { fetch: fetches[name] });
    const s = await engine.screenRequest({ messages: [{ role: "user", content: "hello" }] });
    expect(s.action).toBe(action);
    expect(s.matches).toHaveLength(1);
    expect(s.matches[0]?.detectorError).toMatchObject({ kind, failMode: onError });
    expect(s.matches[0]?.explanation).toMatch(/could not run/);
  });

  it("a closed redact rule whose check failed redacts the whole text", async () => {
    const engine = createPolicyEngine(policyOf({ rules: [webhookRule("closed", "redact")] }), {
      fetch: throwing,
    });
    const s = await engine.screenRequest({ messages: [{ role: "user", content: "hello" }] });
    expect(s.request.messages[0]?.content).toBe("[redacted: content]");
  });

  it("a webhook match applies its spans", async () => {
    const f = fakeFetch(() => json({ verdict: "match", spans: [{ start: 0, end: 5 }] }));
    const engine = createPolicyEngine(policyOf({ rules: [webhookRule("open", "redact")] }), { fetch: f });
    const s = await engine.screenRequest({ messages: [{ role: "user", content: "hello world" }] });
    expect(s.request.messages[0]?.content).toBe("[redacted: content] world");
  });
});

describe("screenRequest: history resent every turn", () => {
  it("gives the same verdicts when the same conversation comes again (cached sync findings)", async () => {
    const f = fakeFetch(() => json({ verdict: "match" }));
    const engine = createPolicyEngine(
      policyOf({
        rules: [
          cardRule("redact"),
          rule({
            id: "hook",
            stages: ["input"],
            detector: { type: "webhook", url: "http://h.test" },
            action: "flag",
          }),
        ],
      }),
      { fetch: f },
    );
    const first = await engine.screenRequest(conversation());
    const second = await engine.screenRequest(conversation());
    expect(second.matches).toEqual(first.matches);
    expect(second.request).toEqual(first.request);
    expect(first.matches.filter((m) => m.ruleId === "hook")).toHaveLength(2);
  });
});

describe("rule activation", () => {
  const judgeRule = rule({
    id: "safety",
    detector: { type: "llm_judge" },
    hazard: "S1",
    enabled_if: "judge",
  });

  it("reports judge rules as inactive without a judge, and does not run them", async () => {
    const engine = engineWith(judgeRule);
    expect(engine.inactiveRules).toEqual([{ ruleId: "safety", reason: expect.stringMatching(/judge/) }]);
    expect((await engine.screenRequest({ messages: [{ role: "user", content: "x" }] })).matches).toEqual([]);
  });

  it("warns about a judge rule without enabled_if when no judge is configured", () => {
    const engine = engineWith({ ...judgeRule, enabled_if: undefined });
    expect(engine.inactiveRules).toEqual([]);
    expect(engine.warnings[0]).toMatch(/safety: llm_judge with no judge configured/);
  });
});
