/**
 * The policy file format, as zod schemas. Every object is strict so a typo'd field is an error, not a silently
 * ignored setting. Cross-field checks (unique ids, placeholders, regex syntax) live here too, so one parse
 * reports every problem with its path.
 */
import { z } from "zod";
import type { Action, Stage } from "./types.js";

export const HAZARDS = [
  ...Array.from({ length: 14 }, (_, i) => `S${i + 1}`),
  "privacy",
  "secrets",
  "custom",
] as const;

export const PII_KINDS = ["email", "phone", "card", "iban", "ssn", "ip"] as const;
export const SECRET_KINDS = [
  "anthropic",
  "openai",
  "aws",
  "github",
  "slack",
  "google",
  "stripe",
  "private_key",
  "jwt",
  "generic",
] as const;
export const DETECTOR_TYPES = [
  "keywords",
  "regex",
  "pii",
  "secrets",
  "llm_judge",
  "classifier",
  "webhook",
] as const;

/** Placeholders an explanation template may use. */
export const PLACEHOLDERS = [
  "rule",
  "policy",
  "version",
  "count",
  "label",
  "hazard",
  "action",
  "stage",
  "category",
  "error",
] as const;

const stage = z.enum(["input", "output", "system", "tool_use", "tool_result"] satisfies Stage[]);
const action = z.enum(["allow", "flag", "warn", "redact", "block"] satisfies Action[]);
const timeoutMs = z.number().int().min(1).max(120_000);
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-' (starting alphanumeric)");
const httpUrl = z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL");

const keywordsDetector = z
  .strictObject({
    type: z.literal("keywords"),
    words: z.array(z.string().trim().min(1, "must not be empty")).optional(),
    list: z.enum(["profanity"]).optional(),
    match: z.enum(["word", "substring"]).default("word"),
    leetspeak: z.boolean().default(true),
    confusables: z.boolean().default(true),
  })
  .refine((d) => (d.words?.length ?? 0) > 0 || d.list !== undefined, {
    message: "needs `words` or `list`",
    path: ["words"],
  });

const regexDetector = z
  .strictObject({
    type: z.literal("regex"),
    patterns: z.array(z.string().min(1)).min(1),
    flags: z
      .string()
      .regex(/^[imsuv]*$/, "only i, m, s, u, v (g is added by the engine)")
      .default(""),
  })
  .superRefine((d, ctx) => {
    d.patterns.forEach((p, i) => {
      try {
        new RegExp(p, `${d.flags}g`);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          path: ["patterns", i],
          message: `invalid regular expression: ${(err as Error).message}`,
        });
      }
    });
  });

const piiDetector = z.strictObject({
  type: z.literal("pii"),
  kinds: z.array(z.enum(PII_KINDS)).min(1),
  default_country: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 code such as US")
    .default("US"),
});

const secretsDetector = z.strictObject({
  type: z.literal("secrets"),
  kinds: z.array(z.enum(SECRET_KINDS)).min(1).optional(),
});

const judgeDetector = z.strictObject({
  type: z.literal("llm_judge"),
  model: z.string().min(1).optional(),
  prompt: z.string().min(1).optional(),
  definition: z.string().min(1).optional(),
  timeout_ms: timeoutMs.default(8000),
  max_tokens: z.number().int().min(16).max(4096).default(200),
});

const classifierDetector = z.strictObject({
  type: z.literal("classifier"),
  base_url: httpUrl,
  model: z.string().min(1),
  categories: z.array(z.string().min(1)).min(1).optional(),
  timeout_ms: timeoutMs.default(5000),
});

const webhookDetector = z.strictObject({
  type: z.literal("webhook"),
  url: httpUrl,
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: timeoutMs.default(3000),
});

export const detectorSchema = z.discriminatedUnion("type", [
  keywordsDetector,
  regexDetector,
  piiDetector,
  secretsDetector,
  judgeDetector,
  classifierDetector,
  webhookDetector,
]);

const template = z
  .string()
  .min(1)
  .superRefine((t, ctx) => {
    for (const m of t.matchAll(/\{([^{}]*)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1] ?? "")) {
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder {${m[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")})`,
        });
      }
    }
  });

export const ruleSchema = z
  .strictObject({
    id,
    description: z.string().optional(),
    stages: z.array(stage).min(1),
    detector: detectorSchema,
    hazard: z.enum(HAZARDS),
    action,
    on_error: z.enum(["open", "closed"]).default("closed"),
    label: z.string().min(1).max(80).optional(),
    explanation: template.optional(),
    explanation_on_error: template.optional(),
    enabled_if: z.enum(["judge"]).optional(),
    thinking: z.boolean().default(false),
  })
  .refine((r) => !r.thinking || r.stages.includes("output"), {
    message: "thinking: true screens streamed thinking, so stages must include output",
    path: ["thinking"],
  });

export const testSchema = z.strictObject({
  name: z.string().min(1).optional(),
  text: z.string(),
  stage: stage.default("input"),
  kind: z.enum(["text", "thinking", "tool_input"]).optional(),
  expect: action,
  rules: z.array(z.string()).optional(),
  redacted: z.string().optional(),
  enabled_if: z.enum(["judge"]).optional(),
});

export const policySchema = z
  .strictObject({
    id,
    description: z.string().optional(),
    window_chars: z.number().int().min(0).max(65_536).default(64),
    rules: z.array(ruleSchema),
    tests: z.array(testSchema).default([]),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: "duplicate rule id" });
      seen.add(r.id);
    });
    p.tests.forEach((t, i) => {
      t.rules?.forEach((rid, j) => {
        if (!seen.has(rid)) {
          ctx.addIssue({
            code: "custom",
            path: ["tests", i, "rules", j],
            message: `no rule with id "${rid}"`,
          });
        }
      });
      if (t.kind !== undefined && t.stage !== "output" && t.stage !== "tool_use") {
        ctx.addIssue({
          code: "custom",
          path: ["tests", i, "kind"],
          message: "kind applies to stage output or tool_use",
        });
      }
    });
  });

export type PolicyDef = z.infer<typeof policySchema>;
export type RuleDef = z.infer<typeof ruleSchema>;
export type DetectorDef = z.infer<typeof detectorSchema>;
export type TestDef = z.infer<typeof testSchema>;
export type PiiKind = (typeof PII_KINDS)[number];
export type SecretKind = (typeof SECRET_KINDS)[number];
export type KeywordsDef = Extract<DetectorDef, { type: "keywords" }>;
export type RegexDef = Extract<DetectorDef, { type: "regex" }>;
export type PiiDef = Extract<DetectorDef, { type: "pii" }>;
export type SecretsDef = Extract<DetectorDef, { type: "secrets" }>;
export type JudgeDef = Extract<DetectorDef, { type: "llm_judge" }>;
export type ClassifierDef = Extract<DetectorDef, { type: "classifier" }>;
export type WebhookDef = Extract<DetectorDef, { type: "webhook" }>;
