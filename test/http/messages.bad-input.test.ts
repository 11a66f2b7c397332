/**
 * Bad input gets a clear error in Anthropic's shape, nothing already stored is lost, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let key: string;

beforeAll(async () => {
  candor = await startTestCandor({ CANDOR_MAX_BODY_BYTES: "65536" });
  key = (await candor.tenant()).key;
});
afterAll(() => candor.stop());

async function post(body: string | Uint8Array, headers: Record<string, string> = {}, path = "/v1/messages") {
  const res = await fetch(`${candor.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key, ...headers },
    body,
  });
  return {
    status: res.status,
    json: (await res.json()) as {
      type: string;
      error: { type: string; message: string };
      request_id: string;
    },
  };
}

function expectAnthropicError(
  r: Awaited<ReturnType<typeof post>>,
  status: number,
  type: string,
  message?: RegExp,
) {
  expect(r.status).toBe(status);
  expect(r.json.type).toBe("error");
  expect(r.json.error.type).toBe(type);
  expect(r.json.request_id).toMatch(/^req_/);
  if (message) expect(r.json.error.message).toMatch(message);
  expect(r.json.error.message).not.toMatch(/at .+\.ts:\d+/); // no stack traces
}

const valid = JSON.stringify({
  model: "m",
  max_tokens: 10,
  messages: [{ role: "user", content: "still alive?" }],
});

async function stillServes() {
  const r = await fetch(`${candor.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: valid,
  });
  expect(r.status).toBe(200);
}

describe("bad input", () => {
  it("malformed JSON → 400 invalid_request_error", async () => {
    expectAnthropicError(await post("{not json"), 400, "invalid_request_error", /not valid JSON/);
    await stillServes();
  });

  it("invalid UTF-8 → 400 invalid_request_error", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}]}'),
    ]);
    expectAnthropicError(await post(bytes), 400, "invalid_request_error", /UTF-8/);
    await stillServes();
  });

  it("wrong content type → 400", async () => {
    expectAnthropicError(
      await post(valid, { "content-type": "text/plain" }),
      400,
      "invalid_request_error",
      /content-type/,
    );
    await stillServes();
  });

  it("oversized body → 413 request_too_large (declared and streamed)", async () => {
    const big = JSON.stringify({
      model: "m",
      max_tokens: 1,
      messages: [{ role: "user", content: "x".repeat(70_000) }],
    });
    expectAnthropicError(await post(big), 413, "request_too_large");
    const streamed = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await fetch(`${candor.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: streamed,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    await stillServes();
  });

  it("a body that is not a Messages request names the field", async () => {
    expectAnthropicError(
      await post(JSON.stringify({ model: "m", messages: "nope" })),
      400,
      "invalid_request_error",
      /messages/,
    );
    expectAnthropicError(
      await post(JSON.stringify({ model: "m", messages: [{ role: "robot", content: "x" }] })),
      400,
      "invalid_request_error",
      /messages\.0\.role/,
    );
    await stillServes();
  });

  it("missing and invalid keys → 401 authentication_error", async () => {
    const missing = await fetch(`${candor.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: valid,
    });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    expectAnthropicError(await post(valid, { "x-api-key": "cnd_wrong" }), 401, "authentication_error");
    expectAnthropicError(
      await post(valid, { "x-api-key": "", authorization: "Bearer cnd_wrong" }),
      401,
      "authentication_error",
    );
    await stillServes();
  });

  it("unknown route → 404 not_found_error", async () => {
    const res = await fetch(`${candor.url}/v2/nothing`, { headers: { "x-api-key": key } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
    await stillServes();
  });
});
