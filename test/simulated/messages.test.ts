import type {
  MessageCreateParamsNonStreaming,
  RawMessageStreamEvent,
} from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { setup, textOf } from "./helpers.js";

function params(content: MessageCreateParamsNonStreaming["messages"][number]["content"]) {
  return { model: "claude-sim-1", max_tokens: 256, messages: [{ role: "user" as const, content }] };
}

async function collect(stream: AsyncIterable<RawMessageStreamEvent>): Promise<RawMessageStreamEvent[]> {
  const events: RawMessageStreamEvent[] = [];
  for await (const ev of stream) events.push(ev);
  return events;
}

describe("simulated model: default replies", () => {
  it("answers messages.create with a deterministic echo of the last user message", async () => {
    const { client } = setup();
    const msg = await client.messages.create(params("Hello there"));
    expect(msg.type).toBe("message");
    expect(msg.role).toBe("assistant");
    expect(msg.model).toBe("claude-sim-1");
    expect(msg.id).toMatch(/^msg_/);
    expect(textOf(msg)).toBe("Simulated reply to: Hello there");
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.stop_sequence).toBeNull();
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBe(Math.ceil("Simulated reply to: Hello there".length / 4));
  });

  it("gives the same content streamed through messages.stream().finalMessage()", async () => {
    const { client } = setup();
    const deltas: string[] = [];
    const stream = client.messages.stream(params("Hello there"));
    stream.on("text", (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(textOf(final)).toBe("Simulated reply to: Hello there");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((d) => Array.from(d).length <= 4)).toBe(true);
    expect(final.stop_reason).toBe("end_turn");
  });

  it("truncates the echo to 200 characters and notes non-text blocks", async () => {
    const { client } = setup();
    const long = "a".repeat(300);
    const image = { type: "base64" as const, media_type: "image/png" as const, data: "iVBORw0KGgo=" };
    const msg = await client.messages.create(
      params([
        { type: "text", text: long },
        { type: "image", source: image },
        { type: "tool_result", tool_use_id: "toolu_1", content: "42" },
      ]),
    );
    expect(textOf(msg)).toBe(
      `Simulated reply to: ${"a".repeat(200)} [blocks: text=1, image=1, tool_result=1]`,
    );
  });

  it("streams raw events in Anthropic's order with SSE framing and headers", async () => {
    const { model } = setup();
    const res = await model.fetch("http://sim.local/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...params("Hi"), stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("request-id")).toMatch(/^req_sim_/);
    const text = await res.text();
    const frames = text.split("\n\n").filter((f) => f.length > 0);
    for (const frame of frames) expect(frame).toMatch(/^event: [a-z_]+\ndata: \{.*\}$/);
    const names = frames.map((f) => f.slice("event: ".length, f.indexOf("\n")));
    expect(names.slice(0, 3)).toEqual(["message_start", "content_block_start", "ping"]);
    expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(names.filter((n) => n === "content_block_delta").length).toBe(
      Math.ceil("Simulated reply to: Hi".length / 4),
    );
    const start = JSON.parse((frames[0] ?? "").split("data: ")[1] ?? "");
    expect(start.message).toMatchObject({ content: [], stop_reason: null, role: "assistant" });
    const delta = JSON.parse((frames.at(-2) ?? "").split("data: ")[1] ?? "");
    expect(delta).toMatchObject({
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 6 },
    });
  });

  it("records the last request's path, headers and body", async () => {
    const { client, model } = setup();
    await client.messages.create(
      { ...params("x"), metadata: { user_id: "u-1" } },
      { headers: { "x-candor-user": "u-1" } },
    );
    expect(model.stats.lastRequest?.path).toBe("/v1/messages");
    expect(model.stats.lastRequest?.headers["x-candor-user"]).toBe("u-1");
    expect(
      model.stats.lastRequest?.headers.authorization ?? model.stats.lastRequest?.headers["x-api-key"],
    ).toContain("x");
    expect(model.stats.lastRequest?.body).toMatchObject({ metadata: { user_id: "u-1" }, max_tokens: 256 });
    expect(model.stats).toMatchObject({ requests: 1, messageRequests: 1, completed: 1, active: 0 });
    model.resetStats();
    expect(model.stats).toMatchObject({ requests: 0, messageRequests: 0, completed: 0 });
    expect(model.stats.lastRequest).toBeUndefined();
  });
});

describe("simulated model: say directive", () => {
  it("says exactly the text, in the requested chunk size", async () => {
    const { client } = setup();
    const stream = await client.messages.create({
      ...params("[sim:say chunk=3] Hello, world"),
      stream: true,
    });
    const events = await collect(stream);
    const texts = events.flatMap((e) =>
      e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : [],
    );
    expect(texts).toEqual(["Hel", "lo,", " wo", "rld"]);
  });

  it("decodes base64 text so the reply can contain what the input never did", async () => {
    const { client } = setup();
    const secret = "Card 4111 1111 1111 1111 — ünïcödé 🎉";
    const b64 = Buffer.from(secret, "utf8").toString("base64");
    const msg = await client.messages.create(params(`  [sim:say encoding=base64] ${b64}`));
    expect(textOf(msg)).toBe(secret);
  });

  it("never splits a surrogate pair across deltas", async () => {
    const { client } = setup();
    const stream = await client.messages.create({ ...params("[sim:say chunk=1] a😀b👍🏽"), stream: true });
    const texts = (await collect(stream)).flatMap((e) =>
      e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : [],
    );
    expect(texts).toEqual(["a", "😀", "b", "👍", "🏽"]);
    for (const t of texts) expect(t.isWellFormed()).toBe(true);
  });

  it("treats an unknown directive as the default reply", async () => {
    const { client } = setup();
    const msg = await client.messages.create(params("[sim:nonsense k=v] hi"));
    expect(textOf(msg)).toBe("Simulated reply to: [sim:nonsense k=v] hi");
  });

  it("emits N deterministic deltas for long", async () => {
    const { client } = setup();
    const msg = await client.messages.create(params("[sim:long n=7]"));
    expect(textOf(msg)).toBe("word0 word1 word2 word3 word4 word5 word6 ");
  });
});

describe("simulated model: tool use, thinking, stops", () => {
  it("calls the first offered tool with streamed JSON input", async () => {
    const { client } = setup();
    const tools = [{ name: "lookup_order", input_schema: { type: "object" as const } }];
    const stream = client.messages.stream({ ...params("[sim:tool]"), tools });
    const events = await collect(stream);
    const final = await stream.finalMessage();
    const tool = final.content.find((b) => b.type === "tool_use");
    expect(tool).toMatchObject({ type: "tool_use", name: "lookup_order", input: { location: "Paris" } });
    expect(tool?.type === "tool_use" && tool.id).toMatch(/^toolu_/);
    expect(final.stop_reason).toBe("tool_use");
    const start = events.find((e) => e.type === "content_block_start" && e.content_block.type === "tool_use");
    expect(start?.type === "content_block_start" && start.content_block).toMatchObject({ input: {} });
    const jsonDeltas = events.filter(
      (e) => e.type === "content_block_delta" && e.delta.type === "input_json_delta",
    );
    expect(jsonDeltas.length).toBeGreaterThan(2);
  });

  it("uses get_weather and a custom input for a non-streamed tool call", async () => {
    const { client } = setup();
    const msg = await client.messages.create(params('[sim:tool text=none] {"city":"Berlin"}'));
    expect(msg.content).toHaveLength(1);
    expect(msg.content[0]).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "Berlin" },
    });
  });

  it("streams a thinking block with a signature, then text", async () => {
    const { client } = setup();
    const signatures: string[] = [];
    const stream = client.messages.stream(params("[sim:thinking] why is the sky blue?"));
    stream.on("signature", (s) => signatures.push(s));
    const events = await collect(stream);
    const final = await stream.finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    const thinking = final.content[0];
    expect(thinking?.type === "thinking" && thinking.thinking).toContain("why is the sky blue?");
    expect(thinking?.type === "thinking" && thinking.signature).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(signatures).toHaveLength(1);
    const start = events.find((e) => e.type === "content_block_start");
    expect(start?.type === "content_block_start" && start.content_block).toEqual({
      type: "thinking",
      thinking: "",
      signature: "",
    });
    expect(textOf(final)).toBe("Simulated reply to: why is the sky blue?");
  });

  it("ends a refusal with stop_reason and stop_details, streaming and not", async () => {
    const { client } = setup();
    const final = await client.messages.stream(params("[sim:refusal after=2 category=bio]")).finalMessage();
    expect(textOf(final)).toBe("word0 word1 ");
    expect(final.stop_reason).toBe("refusal");
    expect(final.stop_details).toMatchObject({ type: "refusal", category: "bio" });
    expect(final.stop_details?.explanation).toMatch(/biological/);
    const plain = await client.messages.create(params("[sim:refusal]"));
    expect(plain.stop_details).toMatchObject({ type: "refusal", category: "cyber" });
    expect(textOf(plain)).toBe("word0 word1 word2 ");
  });

  it("stops with max_tokens and model_context_window_exceeded", async () => {
    const { client } = setup();
    const a = await client.messages.stream(params("[sim:max_tokens n=2]")).finalMessage();
    expect([a.stop_reason, textOf(a)]).toEqual(["max_tokens", "word0 word1 "]);
    const b = await client.messages.create(params("[sim:context_limit]"));
    expect(b.stop_reason).toBe("model_context_window_exceeded");
  });

  it("passes unknown events and citations_delta through raw iteration", async () => {
    const { client } = setup();
    const stream = await client.messages.create({ ...params("[sim:unknown_event]"), stream: true });
    const events = await collect(stream);
    const types: string[] = events.map((e) => e.type);
    expect(types).toContain("future_event");
    expect(events.find((e) => (e.type as string) === "future_event")).toEqual({ type: "future_event", x: 1 });
    const citation = events.find(
      (e) => e.type === "content_block_delta" && e.delta.type === "citations_delta",
    );
    expect(citation).toBeDefined();
    const final = await client.messages.stream(params("[sim:unknown_event]")).finalMessage();
    const cited = final.content[1];
    expect(cited?.type === "text" && cited.citations?.[0]).toMatchObject({ cited_text: "The sky is blue." });
  });
});

describe("simulated model: other routes", () => {
  it("counts tokens deterministically (~chars/4)", async () => {
    const { client } = setup();
    const body = { model: "claude-sim-1", messages: [{ role: "user" as const, content: "x".repeat(40) }] };
    const a = await client.messages.countTokens(body);
    const b = await client.messages.countTokens(body);
    expect(a.input_tokens).toBe(10);
    expect(b).toEqual(a);
    const withSystem = await client.messages.countTokens({ ...body, system: "y".repeat(40) });
    expect(withSystem.input_tokens).toBe(20);
  });

  it("lists and retrieves models in Anthropic's shape", async () => {
    const { client } = setup();
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["claude-sim-1", "claude-sonnet-4-5"]));
    expect(page.data[0]).toMatchObject({
      type: "model",
      display_name: expect.any(String),
      created_at: expect.any(String),
    });
    const all: string[] = [];
    for await (const m of client.models.list({ limit: 1 })) all.push(m.id);
    expect(all).toEqual(ids);
    expect((await client.models.retrieve("claude-sim-1")).id).toBe("claude-sim-1");
  });
});
