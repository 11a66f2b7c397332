/**
 * The composition root: builds every service from the Config, once. main.ts and the tests both use it, so what
 * is tested is what runs.
 */

import { randomBytes } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { AppDeps } from "./http/app.js";
import { createLogger } from "./log.js";
import { createMetrics } from "./metrics.js";
import { createLifecycle, type ManagedLifecycle } from "./proxy/lifecycle.js";
import { loadPolicyRegistry, type PolicyRegistry } from "./proxy/policies.js";
import { createUpstream, keepAliveFetch, type Upstream } from "./proxy/upstream.js";
import { createHttpUpstream } from "./proxy/upstream-http.js";
import { recoverCrashedTurns } from "./session/recover.js";
import { runRetention } from "./session/retention.js";
import { createSimulatedModel, JUDGE_MARKER, type SimulatedModel } from "./simulated/index.js";
import { openStore, type Store } from "./store/db.js";
import { newId } from "./store/ids.js";
import { HEARTBEAT_MS, heartbeat, markStopped, registerInstance } from "./store/instances.js";
import { createJournalWriter, type JournalWriter } from "./store/journal-writer.js";
import { checkpointHead, type LogSigner } from "./store/merkle-log.js";
import { ensureSecret } from "./store/secrets.js";
import { sessionPkFor } from "./store/sessions.js";
import { generateSigningKey, type SigningKey } from "./transparency/checkpoint.js";
import { createInterventionRecorder } from "./transparency/recorder.js";
import { signViewToken } from "./transparency/view-token.js";

/** How often each instance signs a checkpoint of the log when it grew. */
const CHECKPOINT_MS = 1_000;

/** How often each instance tries the retention job (only one runs it at a time). */
const RETENTION_INTERVAL_MS = 15 * 60_000;

export interface Services {
  deps: AppDeps;
  store: Store;
  lifecycle: ManagedLifecycle;
  policies: PolicyRegistry;
  journal: JournalWriter;
  /** The in-process simulated model, when it is the upstream. */
  simulated: SimulatedModel | null;
  signingKey: SigningKey;
  viewSecret: string;
  log: Logger;
  /** Turns recovered from a crashed instance at start. */
  recovered: number;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  /** Use this store instead of opening one from the config (tests). */
  store?: Store;
  /** Use this fetch for the upstream (tests: a shared simulated model). */
  upstreamFetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  simulated?: SimulatedModel;
  log?: Logger;
}

type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Where model calls go (the proxied ones and the llm_judge detector's): the simulated model or the real API. */
function upstreamTarget(
  config: Config,
  fetch: FetchFn | null,
): { baseURL: string; apiKey: string | undefined; fetch: FetchFn; describe: string } {
  if (fetch || config.upstream.kind === "simulated") {
    if (!fetch) throw new Error("simulated upstream without a fetch");
    return {
      baseURL: "http://simulated.candor.internal",
      apiKey: "simulated",
      fetch,
      describe: "the built-in simulated model",
    };
  }
  return {
    baseURL: config.upstream.url,
    apiKey: config.upstream.apiKey,
    fetch: keepAliveFetch(),
    describe: config.upstream.url,
  };
}

function withSimulatedJudgeMarker(fetch: FetchFn): FetchFn {
  return (input, init) => {
    if (typeof init?.body !== "string") return fetch(input, init);
    const body = JSON.parse(init.body) as { system?: unknown };
    const system = typeof body.system === "string" ? body.system : JSON.stringify(body.system ?? "");
    return fetch(input, { ...init, body: JSON.stringify({ ...body, system: `${JUDGE_MARKER}\n${system}` }) });
  };
}

export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const store =
    overrides.store ??
    (await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize,
    }));
  const db = store.db;
  const simulated =
    config.upstream.kind === "simulated" && !overrides.upstreamFetch
      ? (overrides.simulated ?? createSimulatedModel())
      : null;
  const target = upstreamTarget(config, overrides.upstreamFetch ?? simulated?.fetch ?? null);
  const limits = { timeoutMs: config.upstreamTimeoutMs, maxRetries: config.upstreamRetries };
  // A real upstream is called on undici's request (the fast path); the in-process simulated model through the SDK.
  const upstream: Upstream =
    config.upstream.kind === "http" && !overrides.upstreamFetch
      ? createHttpUpstream({
          baseURL: target.baseURL,
          apiKey: target.apiKey,
          describe: target.describe,
          ...limits,
        })
      : createUpstream({ ...target, ...limits });

  const signingKey = JSON.parse(
    await ensureSecret(db, "log_signing_key", () => JSON.stringify(generateSigningKey())),
  ) as SigningKey;
  const viewSecret =
    config.viewSecret ??
    (await ensureSecret(db, "view_token_secret", () => randomBytes(32).toString("base64url")));
  // Never configured and never rotated: changing it would send every existing session down the general path.
  const sessionPkSecret = await ensureSecret(db, "session_pk_secret", () =>
    randomBytes(32).toString("base64url"),
  );

  // With the simulated upstream, the judge's requests carry the simulated model's judge marker, so it answers as a
  // safety judge (docs/simulated-model.md) — a demo and test setup; a real upstream gets the prompt unchanged.
  const judgeFetch =
    config.upstream.kind === "simulated" ? withSimulatedJudgeMarker(target.fetch) : target.fetch;
  const judge = config.judgeModel
    ? {
        client: new Anthropic({
          apiKey: target.apiKey ?? null,
          baseURL: target.baseURL,
          fetch: judgeFetch,
          maxRetries: 0,
          timeout: 30_000,
        }),
        model: config.judgeModel,
      }
    : undefined;
  const policies = await loadPolicyRegistry(config.policyPath, judge ? { judge } : {});
  const metrics = createMetrics();
  const journal = createJournalWriter(db, { mode: config.durability, flushMs: config.fastFlushMs });
  journal.onCommit = (rows, ms) => {
    metrics.journalBatchRows.observe(rows);
    metrics.journalCommit.observe(ms / 1000);
  };
  const lifecycle = createLifecycle();
  const instanceId = newId("inst", 8);
  await registerInstance(db, instanceId);
  const beat = setInterval(() => void heartbeat(db, instanceId).catch(() => {}), HEARTBEAT_MS);
  beat.unref();

  // The origin names the log in every checkpoint: stable across restarts, so not derived from a random port.
  const logSigner: LogSigner = {
    key: signingKey,
    origin: `${config.publicUrlExplicit ? new URL(config.publicUrl).host : "candor"}/log`,
  };
  const interventions = createInterventionRecorder({ appealDays: config.appealDays });
  // Checkpoints are signed off the hot path: a new one whenever the log grew, at most every CHECKPOINT_MS.
  const checkpoints = setInterval(
    () => void checkpointHead(db, logSigner).catch((err: unknown) => log.error({ err }, "checkpoint failed")),
    CHECKPOINT_MS,
  );
  checkpoints.unref();

  const deps: AppDeps = {
    config,
    db,
    store,
    viewSecret,
    signingKey,
    logSigner,
    upstream,
    journal,
    policyFor: (tenant) => policies.forTenant(tenant),
    interventions,
    sessionPk: (tenantId, externalId) => sessionPkFor(sessionPkSecret, tenantId, externalId),
    explainUrl: (tenantId, sessionId, endUser) => {
      const exp = Math.floor(Date.now() / 1000) + config.viewTokenTtlS;
      const token = signViewToken(
        { tenantId, sessionId, userId: endUser, exp, scope: "view+appeal" },
        viewSecret,
      );
      return `${config.publicUrl}/s/${encodeURIComponent(sessionId)}?token=${token}`;
    },
    lifecycle,
    instanceId,
    log,
    metrics,
    readiness: async () => {
      const checks: Record<string, string> = {};
      try {
        await store.ping();
        checks.database = "ok";
      } catch {
        checks.database = "unreachable";
      }
      checks.policies = Object.keys(policies.versions()).length > 0 ? "ok" : "none loaded";
      checks.shutdown = lifecycle.shutdownSignal.aborted ? "draining" : "ok";
      return { ready: checks.database === "ok" && checks.shutdown === "ok", checks };
    },
  };
  const recovered = await recoverCrashedTurns(deps);
  const retention = setInterval(
    () =>
      void runRetention(db, interventions, { retentionDays: config.retentionDays }).then(
        (r) => r.messagesErased > 0 && log.info(r, "retention purged expired content"),
        (err: unknown) => log.error({ err }, "retention run failed"),
      ),
    RETENTION_INTERVAL_MS,
  );
  retention.unref();

  return {
    deps,
    store,
    lifecycle,
    policies,
    journal,
    simulated,
    signingKey,
    viewSecret,
    log,
    recovered,
    async close() {
      clearInterval(beat);
      clearInterval(retention);
      clearInterval(checkpoints);
      await journal.close();
      await markStopped(db, instanceId).catch(() => {});
      if (!overrides.store) await store.close();
    },
  };
}
