import { request } from "node:http";
import Anthropic, { APIConnectionError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ServedSimulatedModel, serveSimulatedModel } from "../../src/simulated/index.js";

let served: ServedSimulatedModel;
let client: Anthropic;

beforeAll(async () => {
  served = await serveSimulatedModel({ port: 0 });
  client = new Anthropic({ apiKey: "any-key", baseURL: served.url, maxRetries: 0, timeout: 5000 });
});
afterAll(async () => {
  await served.close();
});
beforeEach(() => served.model.resetStats());

const ask = (text: string) => ({
  model: "claude-sonnet-4-5",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: text }],
});

async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw HTTP request over the socket: status, headers and whatever body arrived before the end or an error. */
function rawPost(
  path: string,
  body: unknown,
): Promise<{ status: number; type: string; text: string; error?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${served.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      const done = (error?: string) =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), text, error });
      res.on("end", () => done());
      res.on("error", (err) => done(err.message));
      res.on("aborted", () => done("aborted"));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("simulated model served on a port", () => {
  it("binds 127.0.0.1 and answers the SDK with any key", async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { data, response } = await client.messages.create(ask("over the wire")).withResponse();
    expect(data.content).toEqual([{ type: "text", text: "Simulated reply to: over the wire" }]);
    expect(response.headers.get("request-id")).toMatch(/^req_sim_/);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(served.model.stats.lastRequest?.headers.authorization).toBe("Bearer any-key");
  });

  it("streams through messages.stream() and lists models", async () => {
    const final = await client.messages.stream(ask("[sim:say chunk=2] streamed!")).finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "streamed!" }]);
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain("claude-sim-1");
    const tokens = await client.messages.countTokens({
      model: "m",
      messages: [{ role: "user", content: "abcd" }],
    });
    expect(tokens).toEqual({ input_tokens: 1 });
    expect(served.model.stats).toMatchObject({ requests: 3, messageRequests: 1, completed: 1, active: 0 });
  });

  it("sees the client's socket closing as an abort and stops", async () => {
    const controller = new AbortController();
    const stream = await client.messages.create(
      { ...ask("[sim:long n=200 delay_ms=5]"), stream: true },
      { signal: controller.signal },
    );
    let deltas = 0;
    for await (const ev of stream) {
      if (ev.type === "content_block_delta" && ++deltas === 2) controller.abort();
    }
    await eventually(() => served.model.stats.aborted === 1);
    expect(served.model.stats).toMatchObject({ active: 0, completed: 0 });
  });

  it("destroys the socket on reset after the promised deltas", async () => {
    const res = await rawPost("/v1/messages", { ...ask("[sim:reset after=2]"), stream: true });
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/event-stream; charset=utf-8");
    expect(res.error).toBeDefined();
    expect(res.text.match(/event: content_block_delta/g)).toHaveLength(2);
    expect(res.text).not.toContain("message_stop");
    const texts: string[] = [];
    const stream = client.messages.stream(ask("[sim:reset after=3]"));
    stream.on("text", (t) => texts.push(t));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(texts).toEqual(["word0 ", "word1 ", "word2 "]);
    expect(served.model.stats).toMatchObject({ active: 0, aborted: 0, completed: 0 });
  });

  it("drops the connection before answering a non-streaming reset", async () => {
    await expect(client.messages.create(ask("[sim:reset]"))).rejects.toBeInstanceOf(APIConnectionError);
  });

  it("closes even while a stream is open", async () => {
    const extra = await serveSimulatedModel({ port: 0 });
    const other = new Anthropic({ apiKey: "k", baseURL: extra.url, maxRetries: 0 });
    const stream = await other.messages.create({ ...ask("[sim:long n=500 delay_ms=10]"), stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const started = Date.now();
    await extra.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(
      (async () => {
        for (;;) if ((await iterator.next()).done) return;
      })(),
    ).rejects.toThrow();
  });
});
