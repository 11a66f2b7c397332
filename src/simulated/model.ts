/**
 * The built-in simulated model: an Anthropic-compatible upstream for demos and tests, usable
 * in-process as a WHATWG `fetch` (hand it to the SDK's `fetch` option) or served on a port.
 */
import { createSimulatedApp, SimulatedResetSignal } from "./app.js";
import { abortError } from "./stream.js";

/** Counters and the last request, for assertions in tests. */
export interface SimulatedModelStats {
  /** Total requests received (all routes). */
  requests: number;
  /** `POST /v1/messages` requests received (valid or not). */
  messageRequests: number;
  /** Generations in flight: open streams, and non-streaming replies still being prepared. */
  active: number;
  /** Generations whose consumer went away before the simulated model finished. */
  aborted: number;
  /** Generations fully written (including streams that end with an in-stream `error` event). */
  completed: number;
  /** The last request seen (headers lower-cased; body parsed as JSON when it is JSON). */
  lastRequest?: { path: string; headers: Record<string, string>; body: unknown };
}

export interface SimulatedModel {
  /** A WHATWG fetch handler, so it can be used in-process as the SDK's `fetch` (no port). */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Same thing as a Request handler. */
  handle: (req: Request) => Promise<Response>;
  /** Live counters (the same object for the model's lifetime). */
  stats: SimulatedModelStats;
  /** Zero the counters and forget the last request; `active` keeps counting what is still open. */
  resetStats(): void;
}

/** Options shared by `createSimulatedModel` and `serveSimulatedModel`. */
export interface SimulatedModelOptions {
  /** Pause between deltas when a directive gives no `delay_ms` (default 0). */
  defaultDelayMs?: number;
}

/** A reset must look like a dropped connection to fetch callers: undici rejects with "fetch failed". */
function connectionError(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

/**
 * Run a request in-process with real-fetch semantics: the promise rejects with an AbortError when the
 * request's signal aborts before the response is ready, and a simulated reset rejects like a dropped socket.
 */
async function callInProcess(
  app: { fetch: (req: Request) => Response | Promise<Response> },
  req: Request,
): Promise<Response> {
  const { signal } = req;
  if (signal.aborted) throw abortError(signal);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([Promise.resolve(app.fetch(req)), aborted]);
  } catch (err) {
    if (err instanceof SimulatedResetSignal) throw connectionError(err);
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Build a simulated model and its app (used by `serveSimulatedModel`). */
export function createSimulatedModelInternals(opts: SimulatedModelOptions = {}) {
  const stats: SimulatedModelStats = { requests: 0, messageRequests: 0, active: 0, aborted: 0, completed: 0 };
  const app = createSimulatedApp(stats, Math.max(0, opts.defaultDelayMs ?? 0));
  const handle = (req: Request) => callInProcess(app, req);
  const model: SimulatedModel = {
    fetch: (input, init) => handle(new Request(input, init)),
    handle,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.messageRequests = 0;
      stats.aborted = 0;
      stats.completed = 0;
      delete stats.lastRequest;
    },
  };
  return { model, app };
}

/** Create an in-process simulated Anthropic upstream. */
export function createSimulatedModel(opts: SimulatedModelOptions = {}): SimulatedModel {
  return createSimulatedModelInternals(opts).model;
}
