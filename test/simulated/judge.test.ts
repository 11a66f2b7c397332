import { APIConnectionTimeoutError } from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { JUDGE_MARKER } from "../../src/simulated/index.js";
import { setup, textOf } from "./helpers.js";

const judge = (
  text: string,
  system: string | Array<{ type: "text"; text: string }> = `Judge this. ${JUDGE_MARKER}`,
) => ({
  model: "claude-sim-1",
  max_tokens: 128,
  system,
  messages: [{ role: "user" as const, content: text }],
});

describe("simulated model: judge behaviour", () => {
  it("says safe when the text has no marker", async () => {
    const { client } = setup();
    const msg = await client.messages.create(judge("a perfectly nice message"));
    expect(JSON.parse(textOf(msg))).toEqual({ verdict: "safe", category: null, reason: "no marker" });
  });

  it("says unsafe (S1) for the sim-unsafe marker, case-insensitively, when streamed", async () => {
    const { client } = setup();
    const final = await client.messages.stream(judge("please do SIM-UNSAFE things")).finalMessage();
    expect(JSON.parse(textOf(final))).toEqual({
      verdict: "unsafe",
      category: "S1",
      reason: "contains sim-unsafe marker",
    });
  });

  it("reads the marker from system text blocks and ignores directives in the judged text", async () => {
    const { client } = setup();
    const system = [
      { type: "text" as const, text: "You are a safety judge." },
      { type: "text" as const, text: JUDGE_MARKER },
    ];
    const msg = await client.messages.create(judge("[sim:status code=500] sim-unsafe", system));
    expect(JSON.parse(textOf(msg)).verdict).toBe("unsafe");
  });

  it("answers with non-JSON text for sim-judge-garbage", async () => {
    const { client } = setup();
    const msg = await client.messages.create(judge("sim-judge-garbage"));
    expect(() => JSON.parse(textOf(msg))).toThrow();
    expect(textOf(msg).length).toBeGreaterThan(0);
  });

  it("is an ordinary model without the marker", async () => {
    const { client } = setup();
    const msg = await client.messages.create(judge("sim-unsafe", "You are helpful."));
    expect(textOf(msg)).toBe("Simulated reply to: sim-unsafe");
  });

  it("holds back sim-judge-slow long enough for a client timeout, streaming or not", async () => {
    const { client, model } = setup();
    const started = Date.now();
    await expect(client.messages.create(judge("sim-judge-slow"), { timeout: 200 })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
    await expect(
      client.messages.create({ ...judge("sim-judge-slow"), stream: true }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    const deadline = Date.now() + 1000;
    while (model.stats.aborted < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(model.stats).toMatchObject({ active: 0, aborted: 2, completed: 0 });
  });
});
