import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { openStore, type Store } from "../store/db.js";
import { isDsaExportable, toDsaStatement } from "../transparency/dsa-export.js";
import { interventionsPage } from "../transparency/receipt-service.js";
import type { Io } from "./main.js";

const USAGE =
  "Usage: candor interventions export --format dsa [--since ISO] [--out FILE] [--jsonl] [--platform NAME]";
const PAGE = 500;
const PROGRESS_EVERY = 5_000;

/** Where lines go: a file (with backpressure) or stdout. */
interface Sink {
  line(s: string): Promise<void>;
  close(): Promise<void>;
}

function fileSink(path: string): Sink {
  const stream = createWriteStream(path, { encoding: "utf8" });
  return {
    async line(s) {
      if (!stream.write(`${s}\n`)) await once(stream, "drain");
    },
    async close() {
      stream.end();
      await once(stream, "finish");
    },
  };
}

function ioSink(io: Io): Sink {
  return { line: async (s) => io.out(s), close: async () => {} };
}

interface ExportArgs {
  since: Date | undefined;
  out: string | undefined;
  jsonl: boolean;
  platform: string;
}

function parseExportArgs(args: string[], io: Io): ExportArgs | null {
  let values: { format?: string; since?: string; out?: string; jsonl?: boolean; platform?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        format: { type: "string" },
        since: { type: "string" },
        out: { type: "string" },
        jsonl: { type: "boolean" },
        platform: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`candor interventions export: ${(err as Error).message}\n${USAGE}`);
    return null;
  }
  if (values.format !== "dsa") {
    io.err(`candor interventions export: --format dsa is required (the only format so far)\n${USAGE}`);
    return null;
  }
  const since = values.since ? new Date(values.since) : undefined;
  if (since && Number.isNaN(since.getTime())) {
    io.err(`candor interventions export: --since "${values.since}" is not an ISO 8601 date`);
    return null;
  }
  return { since, out: values.out, jsonl: values.jsonl ?? false, platform: values.platform ?? "Candor" };
}

/** Streams every exportable record as a DSA statement of reasons; returns how many were written and scanned. */
async function exportDsa(
  store: Store,
  a: ExportArgs,
  sink: Sink,
  io: Io,
): Promise<{ written: number; scanned: number }> {
  let after = -1;
  let scanned = 0;
  let written = 0;
  let pending: string | null = null; // the JSON array's items are written one behind, to place the commas
  if (!a.jsonl) await sink.line("[");
  for (;;) {
    const page = await interventionsPage(store.db, { afterLeafIndex: after, since: a.since, limit: PAGE });
    for (const row of page) {
      after = row.leafIndex;
      scanned++;
      if (scanned % PROGRESS_EVERY === 0)
        io.err(`… ${scanned} records scanned, ${written} statements written`);
      if (!isDsaExportable(row.record)) continue;
      let json: string;
      try {
        json = JSON.stringify(toDsaStatement(row.record, { platformName: a.platform }));
      } catch (err) {
        io.err(`skipped ${row.id}: ${(err as Error).message}`);
        continue;
      }
      written++;
      if (a.jsonl) await sink.line(json);
      else {
        if (pending !== null) await sink.line(`${pending},`);
        pending = json;
      }
    }
    if (page.length < PAGE) break;
  }
  if (!a.jsonl) {
    if (pending !== null) await sink.line(pending);
    await sink.line("]");
  }
  return { written, scanned };
}

/**
 * `candor interventions export --format dsa`: the DSA statements of reasons of our own decisions (records that
 * pass `isDsaExportable`), as a JSON array or JSON lines, to stdout or `--out`. Reads the database named by
 * DATABASE_URL / CANDOR_DATA_DIR. Statements carry no content and no personal data; progress goes to stderr.
 * `opts.store` lets tests hand in an open store.
 */
export async function runInterventionsCommand(
  args: string[],
  io: Io,
  opts: { store?: Store } = {},
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "export") {
    io.err(USAGE);
    return 2;
  }
  const parsed = parseExportArgs(rest, io);
  if (!parsed) return 2;
  let store = opts.store;
  if (!store) {
    const config = loadConfig(process.env);
    store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  }
  const sink = parsed.out ? fileSink(parsed.out) : ioSink(io);
  try {
    const { written, scanned } = await exportDsa(store, parsed, sink, io);
    io.err(
      `Exported ${written} DSA statement(s) from ${scanned} record(s)${parsed.out ? ` to ${parsed.out}` : ""}.`,
    );
    return 0;
  } finally {
    await sink.close();
    if (!opts.store) await store.close();
  }
}
