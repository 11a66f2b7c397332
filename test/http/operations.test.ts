/** What an operator checks: health, readiness, metrics, request logs without content, per-tenant limits. */
import { PassThrough } from "node:stream";
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new PassThrough();
  sink.on("data", (d: Buffer) => logLines.push(...d.toString().split("\n").filter(Boolean)));
  candor = await startTestCandor({}, { logDestination: sink });
});
afterAll(() => candor.stop());

describe("health", () => {
  it("/healthz and /readyz answer", async () => {
    expect((await fetch(`${candor.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${candor.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.database).toBe("ok");
  });
});

describe("metrics and logs", () => {
  it("/metrics counts requests, turns and added latency; the request log line has the id and no content", async () => {
    const { client } = await candor.tenant();
    const { response } = await client.messages
      .create({
        model: "claude-sim-1",
        max_tokens: 16,
        messages: [{ role: "user", content: "a secret sentence nobody may log" }],
      })
      .withResponse();
    const metrics = await (await fetch(`${candor.url}/metrics`)).text();
    expect(metrics).toMatch(
      /candor_http_requests_total\{route="\/v1\/messages",method="POST",status="200"\} \d+/,
    );
    expect(metrics).toMatch(/candor_turns_total\{ending="completed"\} \d+/);
    expect(metrics).toMatch(/candor_added_latency_seconds_count\{stream="false"\} \d+/);
    expect(metrics).toMatch(/candor_journal_commit_seconds_count \d+/);
    const id = response.headers.get("x-candor-request-id");
    const line = logLines.find((l) => l.includes(String(id)) && l.includes('"msg":"request"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ requestId: id, route: "/v1/messages", status: 200 });
    expect(logLines.join("\n")).not.toContain("a secret sentence");
    expect(logLines.join("\n")).not.toMatch(/cnd_[A-Za-z0-9_-]{20,}/);
  });
});

describe("the hot path", () => {
  const opens = async (path: string) => {
    const text = await (await fetch(`${candor.url}/metrics`)).text();
    return Number(new RegExp(`candor_turn_opens_total\\{path="${path}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  it("an ordinary conversation opens each turn in one statement; an edit takes the recorded path", async () => {
    const { client } = await candor.tenant();
    const before = { plain: await opens("plain"), recorded: await opens("recorded") };
    const ask = (messages: Anthropic.MessageParam[]) =>
      client.messages.create({ model: "claude-sim-1", max_tokens: 16, messages });
    const first: Anthropic.MessageParam = { role: "user", content: "first question" };
    const reply = await ask([first]);
    await ask([first, { role: "assistant", content: reply.content }, { role: "user", content: "second" }]);
    expect(await opens("plain")).toBe(before.plain + 2);
    // The second turn edited away: a branch the client dropped, recorded with the turn that dropped it.
    await ask([
      first,
      { role: "assistant", content: reply.content },
      { role: "user", content: "edited second" },
    ]);
    expect(await opens("recorded")).toBe(before.recorded + 1);
  });
});

describe("per-tenant limits", () => {
  it("requests per minute: 429 rate_limit_error with retry-after", async () => {
    const { client } = await candor.tenant(undefined, { rateLimitPerMinute: 2 });
    const ask = () =>
      client.messages.create({ model: "m", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    await ask();
    await ask();
    const err = (await ask().catch((e: unknown) => e)) as {
      status: number;
      headers: Headers;
      error: { error: { type: string } };
    };
    expect(err.status).toBe(429);
    expect(err.error.error.type).toBe("rate_limit_error");
    expect(Number(err.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("concurrent streams: the next one is refused while the limit is in use", async () => {
    const { client } = await candor.tenant(undefined, { maxConcurrentStreams: 1 });
    const first = await client.messages.create({
      model: "m",
      max_tokens: 8,
      stream: true,
      messages: [{ role: "user", content: "[sim:long n=40 delay_ms=10]" }],
    });
    const iterating = (async () => {
      for await (const _ of first) {
        // drain
      }
    })();
    const err = (await client.messages
      .create({ model: "m", max_tokens: 8, stream: true, messages: [{ role: "user", content: "second" }] })
      .catch((e: unknown) => e)) as { status: number };
    expect(err.status).toBe(429);
    await iterating;
    await expect(
      client.messages.create({ model: "m", max_tokens: 8, messages: [{ role: "user", content: "after" }] }),
    ).resolves.toBeTruthy();
  });
});
