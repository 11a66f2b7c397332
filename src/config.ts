/**
 * The one place that reads process.env. Parsed once at start; everything else receives a `Config`.
 * A bad value stops the process with a message naming every bad variable.
 */
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => v === "true" || v === "1" || v === "yes" || v === "on");

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** Environment variables, by their names. Defaults here are the documented defaults (README, docs/api.md). */
const envSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  CANDOR_DATA_DIR: z.string().min(1).default("./.candor"),
  /** PostgreSQL connections per instance (postgres.js pipelines queries on busy connections beyond that). */
  CANDOR_DB_POOL_SIZE: positiveInt.default(10),
  UPSTREAM_URL: z
    .string()
    .refine(
      (v) => v === "simulated" || /^https?:\/\/[^\s]+$/.test(v),
      "must be an http(s) URL or 'simulated'",
    )
    .default("https://api.anthropic.com"),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  CANDOR_POLICY: z.string().min(1).default("policies/"),
  CANDOR_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Largest accepted request body, in bytes (default 32 MiB). */
  CANDOR_MAX_BODY_BYTES: positiveInt.default(32 * 1024 * 1024),
  /** Upstream timeout for one request, in ms (default 10 minutes, as long generations need). */
  CANDOR_UPSTREAM_TIMEOUT_MS: positiveInt.default(600_000),
  /** Retries of an upstream call that failed before any byte reached the client. */
  CANDOR_UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(10).default(0),
  /** strict: every output byte is committed before it is forwarded. fast: forwarded first, committed within the flush interval. */
  CANDOR_DURABILITY: z.enum(["strict", "fast"]).default("strict"),
  /** fast mode: the journal is flushed at least this often (the loss bound after a crash). */
  CANDOR_FAST_FLUSH_MS: positiveInt.default(50),
  /** Forward the client's own Anthropic key upstream instead of the server's key (keys starting sk-ant-). */
  CANDOR_PASSTHROUGH_KEYS: bool.default(false),
  /** Days soft-deleted content stays restorable. */
  CANDOR_RETENTION_DAYS: positiveInt.default(30),
  /** Days an end user may appeal a policy decision. */
  CANDOR_APPEAL_DAYS: positiveInt.default(30),
  /** Public base URL used in x-candor-explain links (default http://HOST:PORT). */
  CANDOR_PUBLIC_URL: z.url().optional(),
  /** Secret for view tokens (HMAC). Generated and stored in the database on first run when unset. */
  CANDOR_VIEW_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Lifetime of a view token in the x-candor-explain link, in seconds (default 30 days). */
  CANDOR_VIEW_TOKEN_TTL_S: positiveInt.default(30 * 24 * 3600),
  /** Model used by llm_judge rules; unset leaves judge rules inactive (said at start). */
  CANDOR_JUDGE_MODEL: z.string().min(1).optional(),
  CANDOR_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Log message content (off by default: logs never carry content or secrets). */
  CANDOR_LOG_CONTENT: bool.default(false),
  /** Seconds in-flight streams get to finish on SIGTERM before they are ended and recorded as shutdown. */
  CANDOR_SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(10),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  /** "simulated" selects the built-in simulated model. apiKey is undefined only in pass-through mode. */
  upstream: { kind: "simulated" } | { kind: "http"; url: string; apiKey: string | undefined };
  upstreamTimeoutMs: number;
  upstreamRetries: number;
  passthroughKeys: boolean;
  policyPath: string;
  adminToken: string | undefined;
  maxBodyBytes: number;
  durability: "strict" | "fast";
  fastFlushMs: number;
  retentionDays: number;
  appealDays: number;
  /** Base of links given to end users. Defaults to the address the server is bound to (set at listen). */
  publicUrl: string;
  publicUrlExplicit: boolean;
  viewSecret: string | undefined;
  viewTokenTtlS: number;
  judgeModel: string | undefined;
  logLevel: Env["CANDOR_LOG_LEVEL"];
  logContent: boolean;
  shutdownGraceS: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parse an environment (process.env at start; any record in tests). Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (e.g. `DATABASE_URL= npm start`).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  // No key and no pass-through means there is nothing to call the real API with: use the simulated model.
  const simulated = e.UPSTREAM_URL === "simulated" || (!e.ANTHROPIC_API_KEY && !e.CANDOR_PASSTHROUGH_KEYS);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.CANDOR_DATA_DIR,
    dbPoolSize: e.CANDOR_DB_POOL_SIZE,
    upstream: simulated
      ? { kind: "simulated" }
      : { kind: "http", url: e.UPSTREAM_URL.replace(/\/+$/, ""), apiKey: e.ANTHROPIC_API_KEY },
    upstreamTimeoutMs: e.CANDOR_UPSTREAM_TIMEOUT_MS,
    upstreamRetries: e.CANDOR_UPSTREAM_RETRIES,
    passthroughKeys: e.CANDOR_PASSTHROUGH_KEYS,
    policyPath: e.CANDOR_POLICY,
    adminToken: e.CANDOR_ADMIN_TOKEN,
    maxBodyBytes: e.CANDOR_MAX_BODY_BYTES,
    durability: e.CANDOR_DURABILITY,
    fastFlushMs: e.CANDOR_FAST_FLUSH_MS,
    retentionDays: e.CANDOR_RETENTION_DAYS,
    appealDays: e.CANDOR_APPEAL_DAYS,
    publicUrl: (e.CANDOR_PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ""),
    publicUrlExplicit: e.CANDOR_PUBLIC_URL !== undefined,
    viewSecret: e.CANDOR_VIEW_SECRET,
    viewTokenTtlS: e.CANDOR_VIEW_TOKEN_TTL_S,
    judgeModel: e.CANDOR_JUDGE_MODEL,
    logLevel: e.CANDOR_LOG_LEVEL,
    logContent: e.CANDOR_LOG_CONTENT,
    shutdownGraceS: e.CANDOR_SHUTDOWN_GRACE_S,
  };
}
