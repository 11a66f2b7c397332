/**
 * Every upstream failure reaches the SDK as the error it would have raised talking to the model directly,
 * before and during a stream; and Candor's own failures (unreachable, timeout) have the right status and type.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let client: Anthropic;

beforeAll(async () => {
  candor = await startTestCandor();
  client = (await candor.tenant()).client;
});
afterAll(() => candor.stop());

const ask = (content: string, stream = false) =>
  client.messages.create({
    model: "claude-sim-1",
    max_tokens: 100,
    stream,
    messages: [{ role: "user", content }],
  } as never);

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("upstream errors before any event", () => {
  const cases: Array<[number, string, new (...a: never[]) => Error]> = [
    [529, "overloaded_error", Anthropic.InternalServerError],
    [429, "rate_limit_error", Anthropic.RateLimitError],
    [500, "api_error", Anthropic.InternalServerError],
    [400, "invalid_request_error", Anthropic.BadRequestError],
    [401, "authentication_error", Anthropic.AuthenticationError],
    [403, "permission_error", Anthropic.PermissionDeniedError],
    [404, "not_found_error", Anthropic.NotFoundError],
    [413, "request_too_large", Anthropic.APIError],
  ];
  for (const [code, type, cls] of cases) {
    it(`${code} ${type} keeps its status, type and SDK class`, async () => {
      for (const stream of [false, true]) {
        const err = (await caught(ask(`[sim:status code=${code} type=${type}]`, stream))) as InstanceType<
          typeof Anthropic.APIError
        >;
        expect(err).toBeInstanceOf(cls);
        expect(err.status).toBe(code);
        expect((err.error as { error: { type: string } }).error.type).toBe(type);
        expect(err.headers?.get("x-candor-session")).toMatch(/^ses_/);
      }
    });
  }

  it("429 keeps retry-after", async () => {
    const err = (await caught(ask("[sim:status code=429 retry_after=7]"))) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(err.headers?.get("retry-after")).toBe("7");
  });
});

describe("errors after the stream started", () => {
  it("an upstream error event reaches the SDK as an APIError of that type", async () => {
    const stream = client.messages.stream({
      model: "claude-sim-1",
      max_tokens: 100,
      messages: [{ role: "user", content: "[sim:error_after n=3 type=overloaded_error]" }],
    });
    const err = (await caught(stream.finalMessage())) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err.error as { error: { type: string } }).error.type).toBe("overloaded_error");
  });

  it("a connection reset upstream becomes an SSE error event saying what was saved", async () => {
    const stream = client.messages.stream({
      model: "claude-sim-1",
      max_tokens: 100,
      messages: [{ role: "user", content: "[sim:reset after=3]" }],
    });
    const err = (await caught(stream.finalMessage())) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.message).toMatch(/saved/);
  });

  it("refusal, max_tokens and context limit end with their stop reasons", async () => {
    const refusal = (await ask("[sim:refusal after=2]")) as Anthropic.Message;
    expect(refusal.stop_reason).toBe("refusal");
    expect((await ask("[sim:max_tokens]")) as Anthropic.Message).toMatchObject({ stop_reason: "max_tokens" });
    expect((await ask("[sim:context_limit]")) as Anthropic.Message).toMatchObject({
      stop_reason: "model_context_window_exceeded",
    });
  });
});

describe("Candor's own upstream failures", () => {
  it("unreachable upstream → 502 api_error; timeout → 504 timeout_error", async () => {
    const { startServer } = await import("../../src/server.js");
    const { loadConfig } = await import("../../src/config.js");
    const { pino } = await import("pino");
    const { createAppKey, ensureTenant } = await import("../../src/store/tenants.js");
    const { createTestStore } = await import("../helpers/store.js");
    const db = await createTestStore();
    const config = loadConfig({
      PORT: "0",
      ANTHROPIC_API_KEY: "sk-ant-test",
      UPSTREAM_URL: "http://127.0.0.1:9",
      CANDOR_LOG_LEVEL: "silent",
    });
    const down = await startServer(
      config,
      { store: db.store, log: pino({ level: "silent" }) },
      { banner: false },
    );
    const slow = await startServer(
      loadConfig({
        PORT: "0",
        UPSTREAM_URL: "simulated",
        CANDOR_UPSTREAM_TIMEOUT_MS: "200",
        CANDOR_LOG_LEVEL: "silent",
      }),
      { store: db.store, simulated: candor.sim, log: pino({ level: "silent" }) },
      { banner: false },
    );
    try {
      const key = await createAppKey(db.store.db, (await ensureTenant(db.store.db, "x")).id);
      const c1 = new Anthropic({ apiKey: key, baseURL: down.url, maxRetries: 0 });
      const e1 = (await caught(
        c1.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
      )) as InstanceType<typeof Anthropic.APIError>;
      expect(e1.status).toBe(502);
      expect((e1.error as { error: { type: string } }).error.type).toBe("api_error");
      const c2 = new Anthropic({ apiKey: key, baseURL: slow.url, maxRetries: 0 });
      const e2 = (await caught(
        c2.messages.create({
          model: "m",
          max_tokens: 5,
          messages: [{ role: "user", content: "[sim:long n=10 delay_ms=100]" }],
        }),
      )) as InstanceType<typeof Anthropic.APIError>;
      expect(e2.status).toBe(504);
      expect((e2.error as { error: { type: string } }).error.type).toBe("timeout_error");
    } finally {
      await down.stop();
      await slow.stop();
      await db.close();
    }
  });
});
