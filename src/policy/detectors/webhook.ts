/**
 * `webhook`: the operator's own service decides. POST `{rule, stage, text}`, expect
 * `{"verdict":"match"|"no_match","spans"?:[{start,end,label?}],"category"?:string}`.
 */
import { z } from "zod";
import { sanitizeCategory } from "../hazards.js";
import type { WebhookDef } from "../schema.js";
import { type AsyncContext, type AsyncDetector, type DetectorResult, MAX_SPANS } from "./types.js";

const replySchema = z.object({
  verdict: z.enum(["match", "no_match"]),
  spans: z
    .array(
      z.object({
        start: z.number().int().min(0),
        end: z.number().int().min(0),
        label: z.string().optional(),
      }),
    )
    .optional(),
  category: z.string().optional(),
});

/** Validates a webhook reply against the text it judged; throws when malformed. */
export function parseWebhookReply(json: unknown, textLength: number): DetectorResult {
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) throw new Error("webhook reply does not match {verdict, spans?, category?}");
  const { verdict, spans, category } = parsed.data;
  if (verdict === "no_match") return { verdict };
  for (const s of spans ?? []) {
    if (s.end <= s.start || s.end > textLength) throw new Error("webhook span out of range");
  }
  const clean = (spans ?? [{ start: 0, end: textLength }])
    .slice(0, MAX_SPANS)
    .map(({ start, end }) => ({ start, end }));
  const cat = sanitizeCategory(category);
  return { verdict, data: { spans: clean, ...(cat === undefined ? {} : { category: cat }) } };
}

export function createWebhookDetector(def: WebhookDef, fetchFn: typeof fetch): AsyncDetector {
  return {
    mode: "async",
    type: "webhook",
    timeoutMs: def.timeout_ms,
    async check(text: string, ctx: AsyncContext): Promise<DetectorResult> {
      const res = await fetchFn(def.url, {
        method: "POST",
        headers: { ...def.headers, "content-type": "application/json" },
        body: JSON.stringify({ rule: ctx.ruleId, stage: ctx.stage, text }),
        signal: ctx.signal,
      });
      if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
      return parseWebhookReply(await res.json(), text.length);
    },
  };
}
