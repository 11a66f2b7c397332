import { loadConfig } from "../config.js";
import { startServer, stopOnSignals } from "../server.js";
import type { Io } from "./main.js";

/** `candor serve`: the proxy, configured by the environment. Returns -1: the process keeps running. */
export async function runServeCommand(_args: string[], _io: Io): Promise<number> {
  const config = loadConfig(process.env);
  const running = await startServer(config);
  stopOnSignals(running, config.shutdownGraceS);
  return -1;
}
