/**
 * SSE in → SSE out. Reads the upstream stream, passes each event through the output screen, journals the frames
 * and only then hands them to the client. Pull-driven: the upstream is read only as fast as the client reads, so
 * nothing is buffered whole and a slow client applies backpressure all the way up.
 *
 * One pull forwards one batch: everything the upstream already has ready (it arrived together, or while the
 * previous batch waited for its commit), up to MAX_BATCH_BYTES, so a burst of deltas costs one journal append and
 * one commit wait instead of one per delta. The relay never waits on the upstream while it holds frames to forward.
 *
 * Events nothing changed are forwarded with their original data string (no JSON re-serialisation). The relay
 * never decides how a turn is recorded: it reports a `RelayEnd` and the pipeline records it.
 */

import type { ReadableStreamReadResult } from "node:stream/web";
import type { BlockKind, OutputScreen, RuleMatch } from "../policy/types.js";
import { type AccumulatedMessage, MessageAccumulator } from "./accumulate.js";
import { type BlockedNotice, blockedStreamFrames } from "./notices.js";
import { createSseParser, type EventSourceMessage, formatFrame } from "./sse.js";

/** How a relayed stream ended. `matches` holds every output-stage match; `withheld` the original text of blocks
 *  the screen changed (kept for moderators only). */
export interface RelayEnd {
  kind:
    | "finished"
    | "upstream_error_event"
    | "reset"
    | "blocked"
    | "client_disconnect"
    | "shutdown"
    | "proxy_error";
  message: AccumulatedMessage;
  matches: RuleMatch[];
  withheld: WithheldBlock[];
  errorType?: string;
  error?: unknown;
}

/** Frames not journaled yet when the stream ends. */
export interface HeldFrames {
  /** To journal with the ending: the last batch (and forwarded message_start/ping not journaled yet), or "". */
  journal: string;
  /** message_stop or error: forwarded last, unless a notice replaces it. */
  terminal: string | null;
}

export interface EndResult {
  /** Frames that replace the rest of the stream (a blocked reply). */
  notice?: BlockedNotice;
  /** Frames added before the terminal one (an in-band record, an error event). */
  interruption?: string;
  /** The terminal frame was journaled with the ending (nothing is added before it). */
  terminalJournaled?: boolean;
}

export interface WithheldBlock {
  index: number;
  kind: BlockKind;
  original: string;
}

export interface RelayOptions {
  upstream: ReadableStream<Uint8Array>;
  screen: OutputScreen | null;
  /** Durably records frames; resolves when they may be forwarded. */
  journal: (frames: string) => Promise<void>;
  /**
   * Called once with how the relay ended and the frames it still holds; its promise settles before the client
   * stream closes. The held frames are forwarded only after it settles: the ending's own write journals `journal`
   * (saving a commit), and the terminal frame too when it says `terminalJournaled`.
   */
  onEnd: (end: RelayEnd, held: HeldFrames) => Promise<EndResult>;
  /** Fires when the server shuts down and the grace period is over. */
  shutdownSignal: AbortSignal;
  /** True once the client has gone away (its request aborted): an upstream read failing then is not a reset. */
  clientGone: () => boolean;
  /** Called once the client stream is closed (after the last frame was handed over). */
  onClosed?: () => void;
  /** Emit the custom `candor.intervention` event (per tenant). */
  inbandEvents: boolean;
  /** Matches found by the output screen so far (for metrics and records). */
  onMatches?: (matches: RuleMatch[]) => void;
}

type Data = Record<string, unknown> & { type?: string };

const encoder = new TextEncoder();

/**
 * A batch stops taking upstream chunks once it holds this many bytes. A bigger burst goes out in several batches,
 * so a slow client never makes Candor read (and hold) much more than this ahead of it; 16 KiB is ~100 deltas.
 */
const MAX_BATCH_BYTES = 16 * 1024;

/** What an upstream read that is not ready by the end of the current event-loop turn yields instead. */
const NOT_READY = Symbol("not ready");
type Chunk = ReadableStreamReadResult<Uint8Array>;

/** Settles after everything already queued in this event-loop turn (I/O callbacks, ticks, microtasks) has run. */
function endOfTurn(): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setImmediate(resolve, NOT_READY));
}

/** Returns the client-facing stream. */
export function relayStream(opts: RelayOptions): ReadableStream<Uint8Array> {
  const reader = opts.upstream.getReader();
  const decoder = new TextDecoder();
  /** Everything emitted (what the ending records when the stream ends on its own terms). */
  const acc = new MessageAccumulator();
  /** Only what was handed to the client (what a client that left had received). */
  const delivered = new MessageAccumulator();
  const blockKinds = new Map<number, BlockKind | "other">();
  const matches: RuleMatch[] = [];
  const events: EventSourceMessage[] = [];
  const parser = createSseParser((e) => events.push(e));
  let out: string[] = [];
  /** The parsed events behind `out`, applied to `delivered` when their frames are handed over. */
  let outEvents: Array<[string, Data]> = [];
  /** Whether `out` holds model output: anything but message_start, ping and empty block starts (see flushOut). */
  let outHasContent = false;
  /** Forwarded frames without model output, journaled with the next batch. */
  let unjournaled = "";
  let ended = false;
  let blocked = false;
  let sawError: string | null = null;
  /** message_stop or error: held until the ending is recorded, so a client that saw the end can restore it. */
  let terminal: string | null = null;
  let shuttingDown = false;
  /** A read that was not ready when its batch was flushed: the next pull takes its chunk first. */
  let pendingRead: Promise<Chunk> | null = null;
  // A stream waiting on a slow upstream must notice shutdown too: cancelling the reader wakes its read().
  const onShutdown = () => {
    shuttingDown = true;
    void reader.cancel().catch(() => {});
  };
  opts.shutdownSignal.addEventListener("abort", onShutdown, { once: true });
  /** The shutdown signal lives as long as the process: a listener left on it would keep this stream alive. */
  function closed(): void {
    opts.shutdownSignal.removeEventListener("abort", onShutdown);
    opts.onClosed?.();
  }

  function emit(event: string, data: string, parsed: Data): void {
    out.push(formatFrame(event, data));
    outEvents.push([event, parsed]);
    if (carriesOutput(event, parsed)) outHasContent = true;
    acc.apply(event, parsed);
  }

  function emitDelta(index: number, delta: Data, field: string, text: string): void {
    const d: Data = { type: "content_block_delta", index, delta: { ...delta, [field]: text } };
    emit("content_block_delta", JSON.stringify(d), d);
  }

  function endOf(
    kind: RelayEnd["kind"],
    extra: Partial<RelayEnd> = {},
    received: MessageAccumulator = acc,
  ): RelayEnd {
    const withheld: WithheldBlock[] = [];
    const screen = opts.screen;
    if (screen && matches.some((m) => m.action === "redact" || m.action === "block")) {
      for (const [index, k] of blockKinds)
        if (k !== "other") withheld.push({ index, kind: k, original: screen.original(index) });
    }
    return { kind, message: received.snapshot(), matches, withheld, ...extra };
  }

  function recordMatches(found: RuleMatch[]): void {
    if (found.length === 0) return;
    matches.push(...found);
    opts.onMatches?.(found);
  }

  async function handleEvent(e: EventSourceMessage): Promise<void> {
    const event = e.event ?? "message";
    let data: Data;
    try {
      data = JSON.parse(e.data) as Data;
    } catch {
      out.push(formatFrame(event, e.data)); // not JSON: unknown to us, forwarded untouched
      outHasContent = true;
      return;
    }
    const index = Number(data.index);
    if (event === "content_block_start") blockKinds.set(index, kindOf((data.content_block as Data)?.type));
    if (event === "error" || event === "message_stop") {
      if (event === "error") {
        sawError = String((data.error as Data | undefined)?.type ?? "api_error");
        await releaseHeld(); // the text held back for screening reaches the client before the error
      }
      acc.apply(event, data);
      terminal = formatFrame(event, e.data);
      return;
    }
    const kind = blockKinds.get(index) ?? "other";
    if (!opts.screen || kind === "other") return emit(event, e.data, data);
    if (event === "content_block_delta") return screenDelta(opts.screen, kind, index, e.data, data);
    if (event === "content_block_stop") {
      // The rest of the block is released only after the end-of-block check (async detectors run here).
      const step = await opts.screen.end(index);
      recordMatches(step.matches);
      const f = FIELDS[kind];
      if (step.release.length > 0) emitDelta(index, { type: f.delta }, f.field, step.release);
      if (step.block) {
        blocked = true;
        return;
      }
    }
    emit(event, e.data, data);
  }

  function screenDelta(screen: OutputScreen, kind: BlockKind, index: number, raw: string, data: Data): void {
    const delta = (data.delta ?? {}) as Data;
    const f = FIELDS[kind];
    if (delta.type !== f.delta) {
      emit("content_block_delta", raw, data); // e.g. signature_delta: nothing to screen
      return;
    }
    const original = String(delta[f.field] ?? "");
    const step = screen.push(index, kind, original);
    recordMatches(step.matches);
    if (step.release === original) emit("content_block_delta", raw, data);
    else if (step.release.length > 0) emitDelta(index, delta, f.field, step.release);
    if (step.block) blocked = true;
  }

  /**
   * A stream that ends abnormally still owes the client what the window held back: run the end-of-block check on
   * each open block and release what passes, so the client sees (and the journal keeps) everything received.
   */
  async function releaseHeld(): Promise<void> {
    const screen = opts.screen;
    if (!screen) return;
    const open = acc.snapshot();
    for (const i of open.incompleteBlocks) {
      const index = open.streamIndexes[i] as number;
      const kind = blockKinds.get(index) ?? "other";
      if (kind === "other") continue;
      const step = await screen.end(index);
      recordMatches(step.matches);
      if (step.block) {
        blocked = true;
        return;
      }
      const f = FIELDS[kind];
      if (step.release.length > 0) emitDelta(index, { type: f.delta }, f.field, step.release);
    }
  }

  /**
   * Journal, then forward. A batch of only `message_start`, `ping` and empty text/thinking block starts (what the
   * API sends before the first token) carries no model output: it is forwarded at once and journaled with the next
   * batch (before any output byte is forwarded), which saves a commit on the time to first byte without weakening
   * "every output byte is durable before it is forwarded" (ADR 0002).
   */
  async function flushOut(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (out.length === 0) return;
    const frames = out.join("");
    const events = outEvents;
    out = [];
    outEvents = [];
    if (!outHasContent) {
      unjournaled += frames;
      hand(controller, frames, events);
      return;
    }
    outHasContent = false;
    // Taken before the wait, so a client leaving meanwhile does not journal these frames a second time.
    const pending = unjournaled + frames;
    unjournaled = "";
    await opts.journal(pending);
    hand(controller, frames, events);
  }

  function hand(
    controller: ReadableStreamDefaultController<Uint8Array>,
    frames: string,
    events: Array<[string, Data]>,
  ) {
    controller.enqueue(encoder.encode(frames));
    for (const [event, parsed] of events) delivered.apply(event, parsed);
  }

  /**
   * Records the end, sends the closing frames, and always closes the client stream — even if recording failed.
   * The last batch is journaled by the ending's own write rather than by a commit of its own.
   */
  async function finish(
    kind: RelayEnd["kind"],
    controller: ReadableStreamDefaultController<Uint8Array>,
    details: Partial<RelayEnd> = {},
  ): Promise<void> {
    if (ended) return;
    ended = true;
    try {
      if (kind === "reset" || kind === "shutdown") await releaseHeld();
      const last = out.join("");
      const lastEvents = outEvents;
      out = [];
      outEvents = [];
      const held = { journal: unjournaled + last, terminal };
      unjournaled = "";
      const extra = await opts.onEnd(endOf(blocked ? "blocked" : kind, details), held);
      if (last) hand(controller, last, lastEvents);
      // What the ending adds (a notice replacing the rest, an in-band record, an error event), then the closing
      // frame — already journaled with the ending when nothing is added before it.
      const added =
        (extra.notice ? blockedStreamFrames(acc.snapshot(), extra.notice, opts.inbandEvents) : "") +
        (extra.interruption ?? "");
      const closing = terminal !== null && !extra.notice ? terminal : "";
      const toJournal = added + (extra.terminalJournaled ? "" : closing);
      if (toJournal) await opts.journal(toJournal);
      if (added || closing) controller.enqueue(encoder.encode(added + closing));
      controller.close();
    } catch (err) {
      controller.error(err);
    } finally {
      closed();
    }
  }

  /**
   * The next upstream chunk. Given `turnEnd`, only if the upstream has it before that settles (it was already
   * buffered, or came in with the chunk just read); otherwise NOT_READY, and the read stays pending for the next
   * pull (one read at most is ever outstanding, so backpressure still reaches the upstream).
   */
  async function nextChunk(turnEnd: Promise<typeof NOT_READY> | null): Promise<Chunk | typeof NOT_READY> {
    const read = pendingRead ?? reader.read();
    pendingRead = null;
    if (!turnEnd) return read;
    // race() also handles a later rejection of `read`; the next pull awaits it again and sees the failure.
    const first = await Promise.race([read, turnEnd]);
    if (first === NOT_READY) pendingRead = read;
    return first;
  }

  /**
   * One pull: read upstream until there is something to forward (or the end), then keep taking what is ready at
   * once, up to MAX_BATCH_BYTES, and forward it all as one batch.
   */
  async function pump(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    let taken = 0;
    let turnEnd: Promise<typeof NOT_READY> | null = null;
    for (;;) {
      if (shuttingDown || opts.shutdownSignal.aborted) {
        await reader.cancel().catch(() => {});
        return finish("shutdown", controller);
      }
      if (out.length > 0) {
        if (taken >= MAX_BATCH_BYTES) return flushOut(controller);
        turnEnd ??= endOfTurn();
      }
      let chunk: Chunk | typeof NOT_READY;
      try {
        // Nothing to forward yet: wait for the upstream. Otherwise take only what is ready now.
        chunk = await nextChunk(out.length > 0 ? turnEnd : null);
      } catch {
        const why = shuttingDown ? "shutdown" : opts.clientGone() ? "client_disconnect" : "reset";
        return finish(why, controller);
      }
      if (shuttingDown) return finish("shutdown", controller);
      if (chunk === NOT_READY) return flushOut(controller);
      taken += chunk.value?.byteLength ?? 0;
      parser.feed(chunk.done ? `${decoder.decode()}\n\n` : decoder.decode(chunk.value, { stream: true }));
      for (const e of events.splice(0)) {
        await handleEvent(e);
        if (blocked) break;
      }
      if (blocked) {
        await reader.cancel().catch(() => {});
        return finish("blocked", controller);
      }
      if (chunk.done) {
        if (sawError) return finish("upstream_error_event", controller, { errorType: sawError });
        return finish(acc.snapshot().finished ? "finished" : "reset", controller);
      }
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          await pump(controller);
        } catch (error) {
          await reader.cancel().catch(() => {});
          if (!ended) await finish("proxy_error", controller, { error });
        }
      },
      async cancel() {
        await reader.cancel().catch(() => {});
        if (!ended) {
          ended = true;
          // What was not forwarded is not the client's; what was (message_start and the like) is journaled.
          const held = { journal: unjournaled, terminal: null };
          unjournaled = "";
          // A batch still waiting for its commit never reached the client: the record is what it had received.
          await opts.onEnd(endOf("client_disconnect", {}, delivered), held).finally(closed);
        }
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Whether a frame carries model output. message_start holds the message's id, model and input usage; ping nothing;
 * a text or thinking block that starts empty only announces a block. A tool_use start names the tool: output.
 */
function carriesOutput(event: string, data: Data): boolean {
  if (event === "message_start" || event === "ping") return false;
  if (event !== "content_block_start") return true;
  const block = (data.content_block ?? {}) as Data;
  if (block.type === "text")
    return block.text !== "" || Object.keys(block).some((k) => k !== "type" && k !== "text");
  if (block.type === "thinking") return Boolean(block.thinking) || Boolean(block.signature);
  return true;
}

const FIELDS: Record<BlockKind, { field: string; delta: string }> = {
  text: { field: "text", delta: "text_delta" },
  tool_input: { field: "partial_json", delta: "input_json_delta" },
  thinking: { field: "thinking", delta: "thinking_delta" },
};

function kindOf(type: unknown): BlockKind | "other" {
  if (type === "text") return "text";
  if (type === "tool_use" || type === "server_tool_use") return "tool_input";
  if (type === "thinking") return "thinking";
  return "other";
}
