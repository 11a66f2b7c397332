/**
 * Frames that arrive together are journaled together: when the upstream writes a burst of deltas, Candor forwards
 * them as one batch (one journal row, one commit wait) instead of one commit per delta — on both upstream paths
 * (in-process SDK fetch, and undici over HTTP). What the client receives is unchanged byte for byte, a paced stream
 * still goes out delta by delta, and a burst bigger than one batch is not buffered whole.
 */
import { getEventListeners } from "node:events";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relayStream } from "../../src/proxy/relay.js";
import { parseSseText } from "../../src/proxy/sse.js";
import { readJournal } from "../../src/store/journal-writer.js";
import { journal } from "../../src/store/schema/index.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import type { TestStore } from "../helpers/store.js";

/** Ids differ per call; everything else must be identical. */
const normalise = (sse: string) => sse.replace(/"(msg|toolu|req)_[A-Za-z0-9_]+"/g, '"$1_X"');

function messagesBody(content: string): string {
  return JSON.stringify({
    model: "claude-sim-1",
    max_tokens: 256,
    stream: true,
    messages: [{ role: "user", content }],
  });
}

/** The raw SSE bytes an app receives, and the turn they belong to. */
async function rawStream(
  base: string,
  key: string,
  content: string,
): Promise<{ sse: string; turnId: string }> {
  const res = await fetch(`${base}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: messagesBody(content),
  });
  expect(res.status).toBe(200);
  const turnId = res.headers.get("x-candor-turn");
  if (!turnId) throw new Error("no x-candor-turn header");
  return { sse: await res.text(), turnId };
}

/** The same request straight to the simulated model. */
async function directStream(fetchFn: typeof fetch, base: string, content: string): Promise<string> {
  const res = await fetchFn(`${base}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": "direct", "content-type": "application/json" },
    body: messagesBody(content),
  });
  return res.text();
}

/** The reply text a stream carries, however its deltas were cut. */
function replyText(sse: string): string {
  return parseSseText(sse)
    .filter((e) => e.event === "content_block_delta")
    .map((e) => (JSON.parse(e.data) as { delta: { text?: string } }).delta.text ?? "")
    .join("");
}

async function journalRows(db: TestStore, turnId: string): Promise<number> {
  const rows = await db.store.db.select().from(journal).where(eq(journal.turnId, turnId));
  return rows.length;
}

const BURST = "[sim:long n=20]"; // 20 deltas, no delay between them

describe("an upstream burst, in-process simulated model", () => {
  let candor: TestCandor;
  let key: string;
  beforeAll(async () => {
    candor = await startTestCandor();
    key = (await candor.tenant(undefined, { policyId: "none" })).key;
  });
  afterAll(() => candor.stop());

  it("is journaled in a few commits, and the client gets the model's bytes unchanged", async () => {
    const { sse, turnId } = await rawStream(candor.url, key, BURST);
    expect(normalise(sse)).toBe(normalise(await directStream(candor.sim.fetch, "http://sim.local", BURST)));
    expect(sse.match(/event: content_block_delta/g)).toHaveLength(20);
    expect(await readJournal(candor.db.store.db, turnId)).toBe(sse);
    expect(await journalRows(candor.db, turnId)).toBeLessThanOrEqual(2);
  });

  it("with the default policy screening the output, still in a few commits", async () => {
    const screened = (await candor.tenant()).key;
    const { sse, turnId } = await rawStream(candor.url, screened, BURST);
    const direct = await directStream(candor.sim.fetch, "http://sim.local", BURST);
    expect(replyText(sse)).toBe(replyText(direct));
    expect(await readJournal(candor.db.store.db, turnId)).toBe(sse);
    expect(await journalRows(candor.db, turnId)).toBeLessThanOrEqual(2);
  });

  it("a paced stream still reaches the client delta by delta", async () => {
    const started = Date.now();
    const res = await fetch(`${candor.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: messagesBody("[sim:slow n=5 delay_ms=80]"),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = "";
    let firstDeltaAt = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      if (!firstDeltaAt && seen.includes("word0 ")) firstDeltaAt = Date.now() - started;
    }
    const total = Date.now() - started;
    expect(seen).toContain("word4 ");
    // The first delta was forwarded when it arrived, not held for the ones after it (4 × 80 ms later).
    expect(total - firstDeltaAt).toBeGreaterThanOrEqual(250);
    const turnId = res.headers.get("x-candor-turn") ?? "";
    expect(await journalRows(candor.db, turnId)).toBeGreaterThanOrEqual(5);
  });
});

describe("an upstream burst over HTTP (undici)", () => {
  let candor: TestCandor;
  let key: string;
  beforeAll(async () => {
    candor = await startTestCandor({}, { upstream: "http" });
    key = (await candor.tenant("coalesce-http", { policyId: "none" })).key;
  });
  afterAll(() => candor.stop());

  it("is journaled in a few commits, and the client gets the model's bytes unchanged", async () => {
    const { sse, turnId } = await rawStream(candor.url, key, BURST);
    expect(normalise(sse)).toBe(normalise(await directStream(fetch, String(candor.simUrl), BURST)));
    expect(await readJournal(candor.db.store.db, turnId)).toBe(sse);
    expect(await journalRows(candor.db, turnId)).toBeLessThanOrEqual(2);
  });
});

// The relay alone, with upstreams whose timing the test controls.
const encoder = new TextEncoder();
const HEAD =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';
const TAIL =
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';
const delta = (i: number) =>
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${String(i).padStart(90, "x")}"}}\n\n`;

function relayOf(
  upstream: ReadableStream<Uint8Array>,
  commitMs = 0,
  shutdownSignal = new AbortController().signal,
) {
  const batches: string[] = [];
  const ends: string[] = [];
  const texts: string[] = [];
  const out = relayStream({
    upstream,
    screen: null,
    journal: async (frames) => {
      if (commitMs > 0) await new Promise((r) => setTimeout(r, commitMs));
      batches.push(frames);
    },
    onEnd: async (end, held) => {
      ends.push(end.kind);
      texts.push(end.message.content.map((b) => String(b.text ?? "")).join(""));
      if (held.journal) batches.push(held.journal); // the ending's own write journals the last batch
      return {};
    },
    shutdownSignal,
    clientGone: () => false,
    inbandEvents: false,
  });
  return { out, batches, ends, texts };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("the relay", () => {
  it("takes one bounded batch per client read, however much the upstream has ready", async () => {
    const chunks = [HEAD, ...Array.from({ length: 5_000 }, (_, i) => delta(i)), TAIL].map((f) =>
      encoder.encode(f),
    );
    const total = chunks.reduce((n, c) => n + c.byteLength, 0);
    let pulled = 0;
    // Everything is ready at once: each upstream read resolves immediately.
    const upstream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const c = chunks.shift();
          if (!c) return controller.close();
          pulled += c.byteLength;
          controller.enqueue(c);
        },
      },
      { highWaterMark: 0 },
    );
    const { out, batches, ends } = relayOf(upstream);
    const reader = out.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // the client is slow: nothing more is read meanwhile
    expect(batches).toHaveLength(1);
    expect(pulled).toBeLessThan(total / 10);
    expect(first.value?.byteLength).toBeLessThan(total / 10);
    await reader.cancel();
    expect(ends).toEqual(["client_disconnect"]);
  });

  it("sends what arrived during a commit as one batch, in order", async () => {
    const frames = [HEAD, ...Array.from({ length: 20 }, (_, i) => delta(i)), TAIL];
    // A socket-like upstream: a frame every 5 ms whether or not anyone reads; commits take 40 ms.
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        let i = 0;
        const timer = setInterval(() => {
          const f = frames[i++];
          if (f) controller.enqueue(encoder.encode(f));
          else {
            clearInterval(timer);
            controller.close();
          }
        }, 5);
      },
    });
    const { out, batches, ends } = relayOf(upstream, 40);
    expect(await readAll(out)).toBe(frames.join(""));
    expect(batches.join("")).toBe(frames.join(""));
    expect(batches.length).toBeLessThanOrEqual(6);
    expect(ends).toEqual(["finished"]);
  });

  it("forwards what precedes the first token before its commit, and no output before its own", async () => {
    // message_start + an empty text block start (what the API sends before the first token), then a delta later.
    let release: () => void = () => {};
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(HEAD));
        release = () => {
          controller.enqueue(encoder.encode(delta(0) + TAIL));
          controller.close();
        };
      },
    });
    const { out, batches } = relayOf(upstream, 200); // every commit takes 200 ms
    const reader = out.getReader();
    const started = performance.now();
    const first = await reader.read();
    expect(performance.now() - started).toBeLessThan(150); // did not wait for a commit
    expect(new TextDecoder().decode(first.value)).toBe(HEAD);
    expect(batches).toEqual([]); // and nothing was journaled yet
    release();
    const next = await reader.read();
    expect(new TextDecoder().decode(next.value)).toContain("content_block_delta");
    // The head is journaled with the first output (and the rest that came with it), before any of it went out.
    expect(batches[0]?.startsWith(HEAD + delta(0))).toBe(true);
    await reader.cancel();
  });

  it("a client that leaves after the head still has the head journaled", async () => {
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(HEAD)); // then nothing more: the model is thinking
      },
    });
    const { out, batches, ends } = relayOf(upstream);
    const reader = out.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(HEAD);
    await reader.cancel();
    expect(ends).toEqual(["client_disconnect"]);
    expect(batches).toEqual([HEAD]); // what reached the client is in the journal, with the ending
  });

  it("a client that leaves while a batch waits for its commit is recorded with what it received", async () => {
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(HEAD));
        setTimeout(() => controller.enqueue(encoder.encode(delta(0))), 5);
      },
    });
    const { out, ends, texts } = relayOf(upstream, 100); // the delta's commit takes 100 ms
    const reader = out.getReader();
    await reader.read(); // the head
    const next = reader.read(); // asks for the delta, which now waits for its commit
    await new Promise((r) => setTimeout(r, 30));
    await reader.cancel();
    await next.catch(() => {});
    expect(ends).toEqual(["client_disconnect"]);
    expect(texts).toEqual([""]); // the delta never reached the client, so it is not in what the client had
  });

  it("holds a block start that carries output (a tool's name) until its commit", async () => {
    const toolStart =
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"lookup","input":{}}}\n\n';
    const msgStart = HEAD.slice(0, HEAD.indexOf("event: content_block_start"));
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(msgStart + toolStart));
      },
    });
    const { out, batches } = relayOf(upstream, 100);
    const reader = out.getReader();
    const first = await reader.read();
    expect(batches).toEqual([msgStart + toolStart]); // journaled before the client got it
    expect(new TextDecoder().decode(first.value)).toBe(msgStart + toolStart);
    await reader.cancel();
  });

  it("leaves no listener on the shutdown signal once a stream is over", async () => {
    const shutdown = new AbortController();
    const finished = relayOf(
      new ReadableStream({
        start(c) {
          c.enqueue(encoder.encode(HEAD + delta(0) + TAIL));
          c.close();
        },
      }),
      0,
      shutdown.signal,
    );
    await readAll(finished.out);
    const cancelled = relayOf(new ReadableStream({ pull: () => new Promise(() => {}) }), 0, shutdown.signal);
    await cancelled.out.cancel();
    expect(cancelled.ends).toEqual(["client_disconnect"]);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });
});
