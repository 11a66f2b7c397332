/**
 * Concurrent streams: `concurrency` workers each open a stream, read it to the end, and open the next, until the
 * time is up (bounded also by a count). Reports time to first byte (the response's first body byte: headers and
 * message_start), time to first text, total time, per-delta lag (from the mock's stamps) and streams per second.
 */

import { messagesBody, sessionHeaders } from "./bodies.js";
import { keepAliveAgent, postMessages, type Target } from "./http-client.js";
import type { ReplyShape } from "./mock-upstream.js";
import { type Summary, summarize } from "./stats.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface StreamLoadResult {
  concurrency: number;
  shape: ReplyShape;
  streams: number;
  errors: number;
  firstError: string | null;
  streamsPerSec: number;
  ttfb: Summary;
  ttft: Summary;
  total: Summary;
  deltaLag: Summary;
}

export async function runStreamLoad(opts: {
  target: Target;
  shape: ReplyShape;
  concurrency: number;
  durationMs: number;
  maxStreams?: number;
  /** Each stream gets its own session named with this prefix (rows per turn by scenario). */
  sessionPrefix?: string;
  /**
   * Each worker starts its first stream after a random wait in [0, staggerMs): users do not all press Enter in
   * the same millisecond. Without it, workers whose streams last equally long stay in lockstep and every round
   * arrives as one burst of `concurrency` requests.
   */
  staggerMs?: number;
}): Promise<StreamLoadResult> {
  const agent = keepAliveAgent(opts.concurrency);
  const deadline = performance.now() + opts.durationMs;
  const maxStreams = opts.maxStreams ?? 100_000;
  const ttfb: number[] = [];
  const ttft: number[] = [];
  const total: number[] = [];
  const lag: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = performance.now();

  const worker = async () => {
    if (opts.staggerMs) await sleep(Math.random() * opts.staggerMs);
    while (performance.now() < deadline && started < maxStreams) {
      started++;
      const r = await postMessages({
        target: opts.target,
        body: messagesBody(opts.shape, true),
        agent,
        timeoutMs: 30_000,
        deltaChars: opts.shape.chars,
        extraHeaders: sessionHeaders(opts.sessionPrefix),
      });
      if (r.error) {
        errors++;
        firstError ??= r.error;
        continue;
      }
      ttfb.push(r.ttfbMs);
      ttft.push(r.ttftMs);
      total.push(r.totalMs);
      lag.push(...r.deltaLagMs);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return {
    concurrency: opts.concurrency,
    shape: opts.shape,
    streams: total.length,
    errors,
    firstError,
    streamsPerSec: total.length / elapsed,
    ttfb: summarize(ttfb),
    ttft: summarize(ttft),
    total: summarize(total),
    deltaLag: summarize(lag),
  };
}
