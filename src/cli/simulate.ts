import { parseArgs } from "node:util";
import { serveSimulatedModel } from "../simulated/index.js";
import type { Io } from "./main.js";

/** `candor simulate --port N`: the simulated model on its own port, for pointing any client or proxy at it. */
export async function runSimulateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string", default: "8788" }, host: { type: "string", default: "127.0.0.1" } },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`candor simulate: --port must be a port number, got "${values.port}"`);
    return 2;
  }
  const served = await serveSimulatedModel({ port, host: values.host });
  io.err(`Simulated model listening on ${served.url} (directives: docs/simulated-model.md)`);
  const stop = () => void served.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return -1;
}
