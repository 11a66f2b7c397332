/**
 * Serving the simulated model on a real port with @hono/node-server (127.0.0.1 by default).
 */
import { serve } from "@hono/node-server";
import { createSimulatedModelInternals, type SimulatedModel, type SimulatedModelOptions } from "./model.js";

/** A running simulated upstream. */
export interface ServedSimulatedModel {
  /** Base URL, e.g. `http://127.0.0.1:4010` (give it to the SDK as `baseURL`). */
  url: string;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
  model: SimulatedModel;
}

/**
 * Serve the simulated model on `host:port` (port 0 picks a free port). Resolves once listening;
 * rejects when the port cannot be bound.
 */
export function serveSimulatedModel(
  opts: { port: number; host?: string } & SimulatedModelOptions,
): Promise<ServedSimulatedModel> {
  const host = opts.host ?? "127.0.0.1";
  const { model, app } = createSimulatedModelInternals(opts);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: host }, (info) => {
      server.off("error", reject);
      const urlHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${urlHost}:${info.port}`,
        model,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Open streams would otherwise keep close() waiting until they finish.
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
    server.once("error", reject);
  });
}
