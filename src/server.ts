/**
 * Serving: the composition root's services behind the Hono app on a real port, the first-run key, the startup
 * summary, and the graceful stop. Used by `npm start` (main.ts) and `candor serve`.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Config } from "./config.js";
import { tuneHeap } from "./heap.js";
import { createApp } from "./http/app.js";
import { createServices, type ServiceOverrides, type Services } from "./services.js";
import { countTenants, createAppKey, ensureTenant } from "./store/tenants.js";

export interface RunningServer {
  url: string;
  services: Services;
  /** Graceful stop: stop accepting, let streams finish up to the grace period, record the rest, close. */
  stop(): Promise<void>;
}

/** On a fresh database: a default tenant and key, so the quickstart needs no setup. Returns the key (shown once). */
async function firstRunKey(services: Services): Promise<string | null> {
  const db = services.store.db;
  if ((await countTenants(db)) > 0) return null;
  const tenant = await ensureTenant(db, "default");
  return createAppKey(db, tenant.id);
}

function summary(config: Config, services: Services, url: string, key: string | null): string {
  const lines = [`Candor listening on ${url}`];
  lines.push(`  database: ${services.store.describe}`);
  lines.push(
    config.upstream.kind === "simulated"
      ? "  upstream: the built-in simulated model (UPSTREAM_URL=simulated, or no ANTHROPIC_API_KEY set)"
      : `  upstream: ${config.upstream.url}`,
  );
  const versions = services.policies.versions();
  const ids = Object.keys(versions);
  lines.push(
    `  policies: ${ids.length ? ids.map((id) => `${id} (${versions[id]})`).join(", ") : "none"} from ${config.policyPath}`,
  );
  for (const r of services.policies.inactive())
    lines.push(`    inactive rule ${r.policyId}/${r.ruleId}: ${r.reason}`);
  lines.push(
    `  durability: ${config.durability}${config.durability === "fast" ? ` (journal flushed every ${config.fastFlushMs} ms)` : " (output committed before it is forwarded)"}`,
  );
  if (services.recovered > 0)
    lines.push(`  recovered ${services.recovered} turn(s) left in flight by a stopped instance`);
  if (key) {
    lines.push("");
    lines.push("  First run: created tenant 'default' with this app key (shown once, stored hashed):");
    lines.push(`    ${key}`);
    lines.push(
      `  Point the Anthropic SDK at Candor: new Anthropic({ baseURL: "${url}", apiKey: "<that key>" })`,
    );
  }
  return lines.join("\n");
}

export async function startServer(
  config: Config,
  overrides: ServiceOverrides = {},
  opts: { banner?: boolean } = {},
): Promise<RunningServer> {
  tuneHeap();
  const services = await createServices(config, overrides);
  const key = await firstRunKey(services);
  const app = createApp(services.deps);
  const stopWatching = services.policies.watch(services.log);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s as Server),
    );
    (s as Server).once("error", reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  if (!config.publicUrlExplicit) config.publicUrl = url; // PORT=0 binds a random port: links must name the real one
  if (opts.banner !== false) process.stderr.write(`${summary(config, services, url, key)}\n`);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      stopWatching();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await services.lifecycle.drain(config.shutdownGraceS * 1000);
      services.log.info(drained, "streams drained");
      // Let the last frames (the shutdown notices) reach the clients: connections close as they go idle.
      const idle = setInterval(() => server.closeIdleConnections(), 25);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 3_000))]);
      clearInterval(idle);
      server.closeAllConnections();
      await services.close();
    })();
    return stopping;
  };
  return { url, services, stop };
}

/** Runs until SIGTERM/SIGINT: the first stops gracefully, a second exits at once. */
export function stopOnSignals(running: RunningServer, graceS: number): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(
        `candor: second ${signal}, exiting now (in-flight turns are recovered at next start)\n`,
      );
      process.exit(1);
    }
    process.stderr.write(`candor: ${signal} received, finishing in-flight streams (up to ${graceS}s)…\n`);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`candor: error during shutdown: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
