/**
 * The forwarding path to a real upstream over HTTP (undici): the simulated model served on a port stands in for the
 * Anthropic API. The same behaviours as in-process: pass-through, streaming, every error class, resets, aborts,
 * timeouts, and the server's key — never the client's — going upstream.
 */
import Anthropic from "@anthropic-ai/sdk";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { type ServedSimulatedModel, serveSimulatedModel } from "../../src/simulated/index.js";
import { createAppKey, ensureTenant, updateTenantSettings } from "../../src/store/tenants.js";
import { streamText, until } from "../helpers/api.js";
import { createTestStore, type TestStore } from "../helpers/store.js";

let sim: ServedSimulatedModel;
let db: TestStore;
let candor: RunningServer;
let client: Anthropic;

beforeAll(async () => {
  sim = await serveSimulatedModel({ port: 0 });
  db = await createTestStore();
  const config = loadConfig({
    PORT: "0",
    UPSTREAM_URL: sim.url,
    ANTHROPIC_API_KEY: "sk-ant-server-side-key",
    CANDOR_UPSTREAM_TIMEOUT_MS: "1500",
    CANDOR_POLICY: "test/fixtures/policies-moderation",
    CANDOR_LOG_LEVEL: "silent",
  });
  candor = await startServer(config, { store: db.store, log: pino({ level: "silent" }) }, { banner: false });
  const tenant = await ensureTenant(db.store.db, "http-upstream");
  await updateTenantSettings(db.store.db, tenant.id, { policyId: "moderation" });
  const key = await createAppKey(db.store.db, tenant.id);
  client = new Anthropic({ apiKey: key, baseURL: candor.url, maxRetries: 0 });
});
afterAll(async () => {
  await candor.stop();
  await sim.close();
  await db.close();
});

const ask = (content: string) =>
  client.messages.create({ model: "claude-sim-1", max_tokens: 64, messages: [{ role: "user", content }] });

describe("through a real HTTP upstream", () => {
  it("non-streaming and streaming replies pass through; the upstream gets the server's key", async () => {
    const msg = await ask("hello over http");
    expect(msg.content[0]).toMatchObject({ type: "text", text: "Simulated reply to: hello over http" });
    const seen = sim.model.stats.lastRequest?.headers ?? {};
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
    const before = sim.model.stats.aborted;
    await streamText(client, "[sim:long n=300 delay_ms=10]", { abortAfterDeltas: 3 });
    await until(async () => sim.model.stats.aborted > before);
  });

  it("output moderation works on this path too", async () => {
    const said = Buffer.from("card 4111 1111 1111 1111 end").toString("base64");
    const r = await streamText(client, `[sim:say chunk=3 encoding=base64] ${said}`);
    expect(r.text).toBe("card [redacted: card number] end");
  });
});
