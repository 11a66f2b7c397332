/**
 * Start a real Candor on a random port (in this process) with its own database and the simulated model, and
 * talk to it with the official SDK — the way an app would. `upstream: "http"` serves the simulated model on a port
 * of its own, so Candor reaches it over HTTP (undici) as it would the real API.
 */
import Anthropic from "@anthropic-ai/sdk";
import { pino } from "pino";
import { loadConfig } from "../../src/config.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { createSimulatedModel, type SimulatedModel, serveSimulatedModel } from "../../src/simulated/index.js";
import type { TenantSettings } from "../../src/store/schema/tenants.js";
import { createAppKey, ensureTenant, updateTenantSettings } from "../../src/store/tenants.js";
import { createTestStore, type TestStore } from "./store.js";

export interface TestCandor {
  url: string;
  server: RunningServer;
  sim: SimulatedModel;
  /** The simulated model's own URL (upstream "http" only). */
  simUrl: string | null;
  db: TestStore;
  /** A new tenant with its own key. */
  tenant(name?: string, settings?: TenantSettings): Promise<{ id: string; key: string; client: Anthropic }>;
  client(key: string, opts?: { maxRetries?: number; headers?: Record<string, string> }): Anthropic;
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestCandor(
  env: Record<string, string> = {},
  opts: { logDestination?: NodeJS.WritableStream; upstream?: "in-process" | "http" } = {},
): Promise<TestCandor> {
  const db = await createTestStore();
  const served = opts.upstream === "http" ? await serveSimulatedModel({ port: 0 }) : null;
  const sim = served?.model ?? createSimulatedModel();
  const upstreamEnv = served
    ? { UPSTREAM_URL: served.url, ANTHROPIC_API_KEY: "sk-ant-server-side-key" }
    : { UPSTREAM_URL: "simulated" };
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    ...upstreamEnv,
    CANDOR_POLICY: "policies/",
    CANDOR_LOG_LEVEL: "silent",
    CANDOR_SHUTDOWN_GRACE_S: "2",
    ...env,
  });
  const server = await startServer(
    config,
    {
      store: db.store,
      ...(served ? {} : { simulated: sim }),
      log: opts.logDestination ? pino({ level: "info" }, opts.logDestination) : pino({ level: "silent" }),
    },
    { banner: false },
  );
  const client = (key: string, opts: { maxRetries?: number; headers?: Record<string, string> } = {}) =>
    new Anthropic({
      apiKey: key,
      baseURL: server.url,
      maxRetries: opts.maxRetries ?? 0,
      timeout: 15_000,
      ...(opts.headers ? { defaultHeaders: opts.headers } : {}),
    });
  return {
    url: server.url,
    server,
    sim,
    simUrl: served?.url ?? null,
    db,
    client,
    async tenant(name, settings) {
      const t = await ensureTenant(db.store.db, name ?? `t${Date.now()}_${counter++}`);
      if (settings) await updateTenantSettings(db.store.db, t.id, settings);
      const key = await createAppKey(db.store.db, t.id);
      return { id: t.id, key, client: client(key) };
    },
    async stop() {
      await server.stop();
      await served?.close();
      await db.close();
    },
  };
}
