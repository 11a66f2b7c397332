#!/usr/bin/env node
/**
 * The `candor` command. Each subcommand lives in its own module; this file only dispatches and turns failures
 * into a clear message and an exit code.
 */
import { ConfigError } from "../config.js";
import { runInterventionsCommand } from "./interventions.js";
import { runKeysCommand } from "./keys.js";
import { runMigrateCommand } from "./migrate.js";
import { runPolicyCommand } from "./policy.js";
import { runServeCommand } from "./serve.js";
import { runSessionsCommand } from "./sessions.js";
import { runSimulateCommand } from "./simulate.js";
import { runVerifyCommand } from "./verify.js";

const USAGE = `Usage: candor <command> [options]

Commands:
  serve                         run the proxy (same as npm start; configured by environment variables)
  migrate                       apply database migrations and exit
  keys create --tenant NAME     create an app key (and the tenant if needed); prints the key alone on stdout
  keys list --tenant NAME       a tenant's keys: id, prefix, created, active or revoked
  keys revoke KEY_ID_OR_KEY     revoke a key (running instances refuse it within 5 s)
  simulate --port N             serve the built-in simulated model on 127.0.0.1:N
  policy validate FILE|DIR      check policy files
  policy test FILE|DIR          run the test cases in policy files
  sessions list|show|export|restore --tenant NAME …   sessions from the database (see candor sessions)
  verify RECEIPT.json [--key PUBLIC.pem]
                                check an intervention receipt offline; exit 0 valid, 1 invalid
  interventions export --format dsa [--since ISO] [--out FILE] [--jsonl]
                                DSA statements of reasons of our decisions (JSON array, or JSON lines)
  help                          this text
`;

export type Io = { out: (s: string) => void; err: (s: string) => void };

const io: Io = {
  out: (s) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith("\n") ? s : `${s}\n`),
};

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return runServeCommand(rest, io);
    case "migrate":
      return runMigrateCommand(rest, io);
    case "keys":
      return runKeysCommand(rest, io);
    case "simulate":
      return runSimulateCommand(rest, io);
    case "policy":
      return runPolicyCommand(rest, io);
    case "sessions":
      return runSessionsCommand(rest, io);
    case "verify":
      return runVerifyCommand(rest, io);
    case "interventions":
      return runInterventionsCommand(rest, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.out(USAGE);
      return command === undefined ? 1 : 0;
    default:
      io.err(`candor: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

dispatch(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    io.err(`candor: ${message}`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
