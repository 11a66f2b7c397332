/** A client that goes away mid-stream makes Candor abort the upstream request: no leaked upstream streams. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
beforeAll(async () => {
  candor = await startTestCandor();
});
afterAll(() => candor.stop());

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

it("aborting the SDK stream aborts the simulated model's stream", async () => {
  const { client } = await candor.tenant();
  const before = candor.sim.stats.aborted;
  const controller = new AbortController();
  const stream = await client.messages.create(
    {
      model: "m",
      max_tokens: 100,
      stream: true,
      messages: [{ role: "user", content: "[sim:long n=200 delay_ms=20]" }],
    },
    { signal: controller.signal },
  );
  let deltas = 0;
  try {
    for await (const e of stream) {
      if (e.type === "content_block_delta" && ++deltas === 3) controller.abort();
    }
  } catch {
    // the SDK throws on abort
  }
  await until(() => candor.sim.stats.aborted > before);
  await until(() => candor.sim.stats.active === 0);
  expect(candor.sim.stats.aborted).toBe(before + 1);
});
