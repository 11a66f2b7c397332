/**
 * Writing a reply as a live SSE body, and the bookkeeping of generations (open / completed / aborted).
 * The body is a pull-driven ReadableStream: one frame per pull, so a frame is produced only when the
 * consumer has taken the previous one, and a cancelled or aborted consumer stops all timers at once.
 */
import type { Frame } from "./plan.js";

/** Counters a generation updates; a subset of the model's public stats. */
export interface GenerationCounters {
  active: number;
  aborted: number;
  completed: number;
}

export type GenerationOutcome = "completed" | "aborted" | "reset";

/** One generation's lifecycle; `finish` counts only the first outcome. */
export interface GenerationTracker {
  readonly done: boolean;
  /** Record the outcome; returns false when the generation had already finished. */
  finish(outcome: GenerationOutcome): boolean;
}

/** Start counting a generation as active. */
export function startGeneration(counters: GenerationCounters): GenerationTracker {
  counters.active++;
  let done = false;
  return {
    get done() {
      return done;
    },
    finish(outcome) {
      if (done) return false;
      done = true;
      counters.active--;
      if (outcome === "completed") counters.completed++;
      else if (outcome === "aborted") counters.aborted++;
      return true;
    },
  };
}

/** Wait `ms`; resolves false (and clears the timer) as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error a fetch consumer sees when its own signal aborted the request. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("This operation was aborted", "AbortError");
}

/** The error an in-process consumer sees on `[sim:reset]`, shaped like undici's for a dropped socket. */
export function resetError(): Error {
  return new TypeError("terminated", { cause: new Error("other side closed (simulated connection reset)") });
}

/** Encode one SSE frame: `event: <type>\ndata: <json>\n\n`. */
export function encodeFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface SseStreamOptions {
  frames: Frame[];
  /** The request's signal: aborting it ends the stream as `aborted`. */
  signal: AbortSignal;
  tracker: GenerationTracker;
  /** Present only when served on a port: destroys the socket (for `[sim:reset]`). */
  destroySocket?: (() => void) | undefined;
}

// Time for frames already handed to the socket to reach the client before a simulated reset.
const RESET_FLUSH_MS = 15;

function safeError(controller: ReadableStreamDefaultController<Uint8Array>, err: Error): void {
  try {
    controller.error(err);
  } catch {
    // Already closed or cancelled: nobody is left to tell.
  }
}

function safeClose(controller: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    controller.close();
  } catch {
    // Already closed or cancelled.
  }
}

/** A live SSE body that plays `frames`, honouring delays, cancellation and the request signal. */
export function sseStream(opts: SseStreamOptions): ReadableStream<Uint8Array> {
  const { frames, signal, tracker } = opts;
  const encoder = new TextEncoder();
  const timers = new AbortController();
  let next = 0;
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const end = (outcome: GenerationOutcome): boolean => {
    if (!tracker.finish(outcome)) return false;
    timers.abort();
    signal.removeEventListener("abort", onAbort);
    return true;
  };
  const onAbort = () => {
    if (!end("aborted") || !ctrl) return;
    // In-process, a fetch body errors with AbortError when its request aborts. On a port the socket is
    // already gone; closing quietly lets the server finish without logging a spurious stream error.
    if (opts.destroySocket) safeClose(ctrl);
    else safeError(ctrl, abortError(signal));
  };
  const reset = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (!end("reset")) return;
    if (!opts.destroySocket) return safeError(controller, resetError());
    await new Promise((resolve) => setTimeout(resolve, RESET_FLUSH_MS));
    // The server cancels this stream when it sees the socket close.
    opts.destroySocket();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      ctrl = controller;
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      const frame = frames[next++];
      if (!frame || tracker.done) return;
      if (!(await sleep(frame.delayMs, timers.signal))) return;
      if (frame.kind === "reset") return reset(controller);
      controller.enqueue(encoder.encode(encodeFrame(frame.event, frame.data)));
      if (next >= frames.length && end("completed")) controller.close();
    },
    cancel() {
      end("aborted");
    },
  });
}
