/** Everything the pipeline needs, passed in (never read from globals), so many apps can run side by side in tests. */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Metrics } from "../metrics.js";
import type { PolicyEngine } from "../policy/engine.js";
import type { Db } from "../store/db.js";
import type { JournalWriter } from "../store/journal-writer.js";
import type { Tenant } from "../store/tenants.js";
import type { InterventionRecorder } from "../transparency/recorder.js";
import type { Upstream } from "./upstream.js";

export interface Lifecycle {
  /** Aborts when the shutdown grace period is over: streams still running end with cause `shutdown`. */
  shutdownSignal: AbortSignal;
  /** Tracks an in-flight stream until it settles. */
  track(turnId: string, tenantId: string): void;
  /** Marks a tracked turn settled. */
  settle(turnId: string): void;
  /** Streams being relayed now, in all and for one tenant. */
  inFlight(): number;
  streamsOf(tenantId: string): number;
}

export interface ProxyDeps {
  config: Config;
  db: Db;
  upstream: Upstream;
  journal: JournalWriter;
  /** The policy engine for a tenant (null: no policy applies). */
  policyFor(tenant: Tenant): PolicyEngine | null;
  interventions: InterventionRecorder;
  /** The pk a new session gets: a keyed hash of (tenant, external id) — `sessionPkFor` with the server's secret. */
  sessionPk(tenantId: string, externalId: string): string;
  /** Signs the end user's link to the session page. */
  explainUrl(tenantId: string, sessionId: string, endUser: string | null): string;
  lifecycle: Lifecycle;
  instanceId: string;
  log: Logger;
  metrics: Metrics;
}
