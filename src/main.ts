/** Startup only: loadConfig → startServer → stop on a signal. */
import { ConfigError, loadConfig } from "./config.js";
import { startServer, stopOnSignals } from "./server.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const running = await startServer(config);
  stopOnSignals(running, config.shutdownGraceS);
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`candor: failed to start: ${message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
