import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentTooLargeError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  RateLimitError,
} from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { ask, setup } from "./helpers.js";

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("simulated model: HTTP errors", () => {
  const cases: Array<[number, string, abstract new (...args: never[]) => APIError]> = [
    [400, "invalid_request_error", BadRequestError],
    [401, "authentication_error", AuthenticationError],
    [403, "permission_error", PermissionDeniedError],
    [404, "not_found_error", NotFoundError],
    [413, "request_too_large", ContentTooLargeError],
    [429, "rate_limit_error", RateLimitError],
    [500, "api_error", InternalServerError],
    [529, "overloaded_error", OverloadedError],
  ];

  it.each(cases)("status %i → %s and the SDK's error class", async (code, type, cls) => {
    const { client } = setup();
    const err = await caught(client.messages.create(ask(`[sim:status code=${code}]`)));
    expect(err).toBeInstanceOf(cls);
    const apiErr = err as APIError;
    expect(apiErr.status).toBe(code);
    expect(apiErr.type).toBe(type);
    expect(apiErr.error).toMatchObject({
      type: "error",
      error: { type },
      request_id: expect.stringMatching(/^req_sim_/),
    });
    expect(apiErr.requestID).toBe((apiErr.error as { request_id: string }).request_id);
  });

  it("529 is an InternalServerError subclass; 429 carries retry-after", async () => {
    const { client } = setup();
    const overloaded = await caught(client.messages.create(ask("[sim:status code=529]")));
    expect(overloaded).toBeInstanceOf(InternalServerError);
    const limited = await caught(client.messages.create(ask("[sim:status code=429 retry_after=7]")));
    expect((limited as APIError).headers?.get("retry-after")).toBe("7");
  });

  it("applies status to streaming requests too, before any event", async () => {
    const { client, model } = setup();
    const err = await caught(
      client.messages.stream(ask("[sim:status type=overloaded_error]")).finalMessage(),
    );
    expect((err as APIError).status).toBe(529);
    expect(model.stats.active).toBe(0);
  });

  it("uses the rest of the text as the error message", async () => {
    const { client } = setup();
    const err = await caught(client.messages.create(ask("[sim:status code=400] prompt is too long")));
    expect((err as APIError).error).toMatchObject({ error: { message: "prompt is too long" } });
  });

  it("rejects requests missing required fields with invalid_request_error", async () => {
    const { model } = setup();
    for (const [body, field] of [
      [{ max_tokens: 5, messages: [] }, "model"],
      [{ model: "m", messages: [] }, "max_tokens"],
      [{ model: "m", max_tokens: 5 }, "messages"],
    ] as const) {
      const res = await model.fetch("http://sim.local/v1/messages", {
        method: "POST",
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/json");
      const json = (await res.json()) as { error: { message: string }; request_id: string };
      expect(json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect(json.error.message).toContain(field);
      expect(json.request_id).toBe(res.headers.get("request-id"));
    }
    const bad = await model.fetch("http://sim.local/v1/messages", { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(model.stats.messageRequests).toBe(4);
  });

  it("answers unknown routes with 404 not_found_error", async () => {
    const { model } = setup();
    const res = await model.fetch("http://sim.local/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(res.headers.get("request-id")).toMatch(/^req_sim_/);
    const { client } = setup();
    expect(await caught(client.models.retrieve("no-such-model"))).toBeInstanceOf(NotFoundError);
  });
});

describe("simulated model: mid-stream failures", () => {
  it("error_after: N deltas, then an error event the SDK raises as overloaded_error", async () => {
    const { client, model } = setup();
    const texts: string[] = [];
    const stream = client.messages.stream(ask("[sim:error_after n=2]"));
    stream.on("text", (t) => texts.push(t));
    const err = await caught(stream.finalMessage());
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe("overloaded_error");
    expect((err as APIError).error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect(texts).toEqual(["word0 ", "word1 "]);
    expect(model.stats).toMatchObject({ active: 0, completed: 1, aborted: 0 });
  });

  it("error_after honours type=, and the raw stream ends after the error event", async () => {
    const { model } = setup();
    const res = await model.fetch("http://sim.local/v1/messages", {
      method: "POST",
      body: JSON.stringify({ ...ask("[sim:error_after n=1 type=api_error]"), stream: true }),
    });
    const text = await res.text();
    expect(
      text.endsWith(
        'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Internal server error (simulated)"}}\n\n',
      ),
    ).toBe(true);
    expect(text).not.toContain("message_stop");
    expect(text).not.toContain("content_block_stop");
  });

  it("error_after without streaming answers with the matching HTTP error", async () => {
    const { client } = setup();
    expect(await caught(client.messages.create(ask("[sim:error_after]")))).toBeInstanceOf(OverloadedError);
  });

  it("reset: N deltas, then the stream breaks without a terminating event", async () => {
    const { client, model } = setup();
    const types: string[] = [];
    const stream = await client.messages.create({ ...ask("[sim:reset after=2]"), stream: true });
    const err = await caught(
      (async () => {
        for await (const ev of stream) types.push(ev.type);
      })(),
    );
    expect(err).toBeInstanceOf(Error);
    expect(types.filter((t) => t === "content_block_delta")).toHaveLength(2);
    expect(types).not.toContain("message_stop");
    expect(model.stats).toMatchObject({ active: 0, completed: 0, aborted: 0 });
  });

  it("reset without streaming fails like a dropped connection", async () => {
    const { client } = setup();
    expect(await caught(client.messages.create(ask("[sim:reset]")))).toBeInstanceOf(APIConnectionError);
  });
});
