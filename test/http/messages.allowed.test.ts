/**
 * The model door as an app sees it: the official SDK pointed at Candor gets exactly what it gets from the model
 * directly — non-streaming, streaming helpers, raw stream events, tools, thinking, count_tokens, models.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let viaCandor: Anthropic;
let direct: Anthropic;

beforeAll(async () => {
  candor = await startTestCandor();
  // No output screening for this tenant, so event framing can be compared byte for byte.
  const t = await candor.tenant(undefined, { policyId: "none" });
  viaCandor = t.client;
  direct = new Anthropic({
    apiKey: "direct",
    baseURL: "http://sim.local",
    fetch: candor.sim.fetch,
    maxRetries: 0,
  });
});
afterAll(() => candor.stop());

const base = { model: "claude-sim-1", max_tokens: 256 } as const;

/** Ids and timestamps differ per call; everything else must be identical. */
function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replace(/"(msg|toolu|req)_[A-Za-z0-9_]+"/g, '"$1_X"'));
}

async function rawEvents(client: Anthropic, text: string): Promise<unknown[]> {
  const stream = await client.messages.create({
    ...base,
    stream: true,
    messages: [{ role: "user", content: text }],
  });
  const events: unknown[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

describe("the Anthropic SDK through Candor", () => {
  it("messages.create returns the same message as the model directly", async () => {
    const params = { ...base, messages: [{ role: "user" as const, content: "hello there" }] };
    const [a, b] = await Promise.all([viaCandor.messages.create(params), direct.messages.create(params)]);
    expect(normalise(a)).toEqual(normalise(b));
    expect(a.content[0]).toMatchObject({ type: "text", text: "Simulated reply to: hello there" });
  });

  it("raw stream events are identical, event by event", async () => {
    for (const text of [
      "a plain question",
      "[sim:unknown_event] rare events",
      "[sim:tool]",
      "[sim:thinking]",
    ]) {
      const [a, b] = await Promise.all([rawEvents(viaCandor, text), rawEvents(direct, text)]);
      expect(normalise(a), text).toEqual(normalise(b));
    }
  });

  it("messages.stream().finalMessage() works and matches", async () => {
    const params = { ...base, messages: [{ role: "user" as const, content: "[sim:long n=12]" }] };
    const a = await viaCandor.messages.stream(params).finalMessage();
    const b = await direct.messages.stream(params).finalMessage();
    expect(normalise(a)).toEqual(normalise(b));
    expect(a.stop_reason).toBe("end_turn");
  });

  it("tool use arrives with its parsed input and stop_reason tool_use", async () => {
    const msg = await viaCandor.messages
      .stream({
        ...base,
        tools: [{ name: "get_weather", description: "w", input_schema: { type: "object" } }],
        messages: [{ role: "user", content: "[sim:tool]" }],
      })
      .finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    const tool = msg.content.find((b) => b.type === "tool_use");
    expect(tool).toMatchObject({ type: "tool_use", name: "get_weather", input: { location: "Paris" } });
  });

  it("thinking keeps its signature", async () => {
    const msg = await viaCandor.messages.create({
      ...base,
      messages: [{ role: "user", content: "[sim:thinking]" }],
    });
    const thinking = msg.content.find((b) => b.type === "thinking");
    expect(thinking?.type).toBe("thinking");
    expect(thinking && "signature" in thinking && thinking.signature.length).toBeGreaterThan(10);
  });

  it("countTokens and models.list pass through", async () => {
    const params = {
      model: "claude-sim-1",
      messages: [{ role: "user" as const, content: "count me please" }],
    };
    expect(await viaCandor.messages.countTokens(params)).toEqual(await direct.messages.countTokens(params));
    const models = [];
    for await (const m of viaCandor.models.list()) models.push(m.id);
    expect(models).toContain("claude-sim-1");
    expect((await viaCandor.models.retrieve("claude-sim-1")).id).toBe("claude-sim-1");
  });

  it("forwards anthropic-version, anthropic-beta and unknown body fields untouched", async () => {
    await viaCandor.messages.create(
      { ...base, messages: [{ role: "user", content: "hi" }], future_field: { x: [1, 2] } } as never,
      { headers: { "anthropic-beta": "some-beta-2099-01-01" } },
    );
    const seen = candor.sim.stats.lastRequest;
    expect(seen?.headers["anthropic-beta"]).toBe("some-beta-2099-01-01");
    expect(seen?.headers["anthropic-version"]).toBeTruthy();
    expect((seen?.body as Record<string, unknown> | undefined)?.future_field).toEqual({ x: [1, 2] });
    // The upstream sees Candor's credentials, never the client's app key.
    expect(JSON.stringify(seen?.headers)).not.toContain("cnd_");
  });

  it("keeps the upstream request-id and adds Candor's own, plus session headers", async () => {
    const { response } = await viaCandor.messages
      .create({ ...base, messages: [{ role: "user", content: "ids" }] })
      .withResponse();
    expect(response.headers.get("request-id")).toMatch(/^req_sim_/);
    expect(response.headers.get("x-candor-request-id")).toMatch(/^req_candor_/);
    expect(response.headers.get("x-candor-session")).toMatch(/^ses_/);
    expect(response.headers.get("x-candor-turn")).toMatch(/^turn_/);
    expect(response.headers.get("x-candor-explain")).toMatch(/\/s\/ses_.+\?token=/);
  });
});

describe("with the default policy", () => {
  it("ordinary prose passes event by event: the window releases each delta as it comes", async () => {
    const t = await candor.tenant();
    // (Digits are held back a moment — they could be the start of a card number — so these texts have none.)
    for (const text of ["a plain question about birds", "[sim:tool]", "[sim:unknown_event] rare events"]) {
      const [a, b] = await Promise.all([rawEvents(t.client, text), rawEvents(direct, text)]);
      expect(normalise(a), text).toEqual(normalise(b));
    }
  });
});
