/**
 * In-flight streams and graceful shutdown. On SIGTERM the server stops accepting, streams get the grace period to
 * finish, then the shutdown signal ends the rest (each recorded with cause `shutdown`, its output saved).
 */
import type { Lifecycle } from "./deps.js";

export interface ManagedLifecycle extends Lifecycle {
  inFlight(): number;
  /** Waits up to graceMs for streams to finish, then ends the rest and waits (bounded) for them to be recorded. */
  drain(graceMs: number): Promise<{ finished: number; ended: number }>;
}

export function createLifecycle(): ManagedLifecycle {
  const shutdown = new AbortController();
  const active = new Map<string, string>(); // turn id → tenant id
  let onIdle: (() => void) | null = null;

  const idle = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      if (active.size === 0) return resolve();
      const timer = setTimeout(resolve, timeoutMs);
      onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    shutdownSignal: shutdown.signal,
    track(turnId, tenantId) {
      active.set(turnId, tenantId);
    },
    settle(turnId) {
      active.delete(turnId);
      if (active.size === 0) onIdle?.();
    },
    inFlight: () => active.size,
    streamsOf: (tenantId) => {
      let n = 0;
      for (const t of active.values()) if (t === tenantId) n++;
      return n;
    },
    async drain(graceMs) {
      const before = active.size;
      await idle(graceMs);
      const remaining = active.size;
      shutdown.abort();
      await idle(5_000);
      return { finished: before - remaining, ended: remaining };
    },
  };
}
