/**
 * The forwarding path to a real upstream over HTTP (undici): the simulated model served on a port stands in for the
 * Anthropic API. The same behaviours as in-process: pass-through, streaming, every error class, resets, aborts,
 * timeouts, and the server's key — never the client's — going upstream.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulatedModel } from "../../src/simulated/index.js";
import { streamText, until } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let sim: SimulatedModel;
let client: Anthropic;

beforeAll(async () => {
  candor = await startTestCandor(
    { CANDOR_UPSTREAM_TIMEOUT_MS: "1500", CANDOR_POLICY: "test/fixtures/policies-moderation" },
    { upstream: "http" },
  );
  sim = candor.sim;
  client = (await candor.tenant("http-upstream", { policyId: "moderation" })).client;
});
afterAll(() => candor.stop());

const ask = (content: string) =>
  client.messages.create({ model: "claude-sim-1", max_tokens: 64, messages: [{ role: "user", content }] });

describe("through a real HTTP upstream", () => {
  it("non-streaming and streaming replies pass through; the upstream gets the server's key", async () => {
    const msg = await ask("hello over http");
    expect(msg.content[0]).toMatchObject({ type: "text", text: "Simulated reply to: hello over http" });
    const seen = sim.stats.lastRequest?.headers ?? {};
    expect(seen["x-api-key"]).toBe("sk-ant-server-side-key");
    expect(seen["anthropic-version"]).toBeTruthy();
    expect(JSON.stringify(seen)).not.toContain("cnd_");
    const streamed = await client.messages
      .stream({ model: "claude-sim-1", max_tokens: 64, messages: [{ role: "user", content: "[sim:tool]" }] })
      .finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
  });

  it("count_tokens and models are forwarded", async () => {
    expect(
      (await client.messages.countTokens({ model: "m", messages: [{ role: "user", content: "count" }] }))
        .input_tokens,
    ).toBeGreaterThan(0);
    expect((await client.models.retrieve("claude-sim-1")).id).toBe("claude-sim-1");
  });

  it("errors keep their status and class; 429 keeps retry-after", async () => {
    const e529 = (await ask("[sim:status code=529]").catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(e529.status).toBe(529);
    expect((e529.error as { error: { type: string } }).error.type).toBe("overloaded_error");
    const e429 = (await ask("[sim:status code=429 retry_after=3]").catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(e429).toBeInstanceOf(Anthropic.RateLimitError);
    expect(e429.headers?.get("retry-after")).toBe("3");
    const e400 = (await ask("[sim:status code=400]").catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(e400).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("a mid-stream error and a reset reach the SDK as errors; a slow upstream times out with 504", async () => {
    const mid = await streamText(client, "[sim:error_after n=3 type=overloaded_error]");
    expect((mid.error as { error?: { error?: { type?: string } } }).error?.error?.type).toBe(
      "overloaded_error",
    );
    const reset = await streamText(client, "[sim:reset after=3]");
    expect(String((reset.error as Error).message)).toMatch(/saved/);
    const slow = (await ask("[sim:long n=20 delay_ms=200]").catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(slow.status).toBe(504);
    expect((slow.error as { error: { type: string } }).error.type).toBe("timeout_error");
  });

  it("a client abort aborts the upstream stream", async () => {
    const before = sim.stats.aborted;
    await streamText(client, "[sim:long n=300 delay_ms=10]", { abortAfterDeltas: 3 });
    await until(async () => sim.stats.aborted > before);
  });

  it("output moderation works on this path too", async () => {
    const said = Buffer.from("card 4111 1111 1111 1111 end").toString("base64");
    const r = await streamText(client, `[sim:say chunk=3 encoding=base64] ${said}`);
    expect(r.text).toBe("card [redacted: card number] end");
  });
});
