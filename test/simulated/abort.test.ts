import Anthropic, { APIUserAbortError } from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { createSimulatedModel } from "../../src/simulated/index.js";
import { ask, setup } from "./helpers.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `check` holds, failing after `ms`. */
async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await wait(5);
  }
}

describe("simulated model: aborts are observable", () => {
  it("counts a stream as active while open and aborted when the SDK aborts; it then stops producing", async () => {
    const { client, model } = setup();
    const controller = new AbortController();
    const stream = await client.messages.create(
      { ...ask("[sim:long n=30 delay_ms=10]"), stream: true },
      { signal: controller.signal },
    );
    let deltas = 0;
    for await (const ev of stream) {
      expect(model.stats.active).toBe(1);
      if (ev.type === "content_block_delta" && ++deltas === 3) controller.abort();
    }
    expect(deltas).toBe(3);
    expect(model.stats).toMatchObject({ active: 0, aborted: 1, completed: 0 });
    // Longer than the whole reply would take: a model that kept producing would have completed.
    await wait(400);
    expect(model.stats).toMatchObject({ active: 0, aborted: 1, completed: 0 });
  });

  it("counts breaking out of raw iteration as an abort", async () => {
    const { client, model } = setup();
    const stream = await client.messages.create({ ...ask("[sim:long n=100 delay_ms=5]"), stream: true });
    for await (const ev of stream) if (ev.type === "content_block_delta") break;
    await eventually(() => model.stats.aborted === 1);
    expect(model.stats.active).toBe(0);
  });

  it("counts a cancelled response body as an abort", async () => {
    const { model } = setup();
    const res = await model.fetch("http://sim.local/v1/messages", {
      method: "POST",
      body: JSON.stringify({ ...ask("[sim:long n=100 delay_ms=5]"), stream: true }),
    });
    const reader = res.body?.getReader();
    expect(reader).toBeDefined();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toMatch(/^event: message_start\n/);
    expect(model.stats.active).toBe(1);
    await reader?.cancel();
    expect(model.stats).toMatchObject({ active: 0, aborted: 1, completed: 0 });
  });

  it("aborts a slow non-streaming reply promptly", async () => {
    const { client, model } = setup();
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.messages.create(ask("[sim:long n=50 delay_ms=40]"), { signal: controller.signal });
    await eventually(() => model.stats.active === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() => model.stats.aborted === 1);
    expect(model.stats).toMatchObject({ active: 0, completed: 0 });
  });

  it("paces deltas with delay_ms and defaultDelayMs", async () => {
    const paced = createSimulatedModel({ defaultDelayMs: 20 });
    const client = new Anthropic({
      apiKey: "x",
      baseURL: "http://sim.local",
      fetch: paced.fetch,
      maxRetries: 0,
    });
    const started = Date.now();
    await client.messages.stream(ask("[sim:say] 12345678")).finalMessage();
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    const { client: fast } = setup();
    const t0 = Date.now();
    await fast.messages.stream(ask("[sim:say delay_ms=30] 12345678")).finalMessage();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
