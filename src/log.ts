/** Structured JSON logs (pino). Credentials are redacted; message content is never logged unless configured. */
import { type Logger, pino } from "pino";

export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: "candor" },
      redact: {
        paths: ["headers.authorization", 'headers["x-api-key"]', "*.apiKey", "apiKey", "key"],
        censor: "[redacted]",
      },
    },
    opts.destination ?? process.stdout,
  );
}
