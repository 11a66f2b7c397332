/**
 * `classifier`: a guard model (e.g. Llama Guard) behind an OpenAI-compatible chat-completions endpoint.
 * Its reply is `safe`, or `unsafe` with a category line such as `S1,S10`; the category becomes the hazard.
 */
import { z } from "zod";
import { sanitizeCategory } from "../hazards.js";
import type { ClassifierDef } from "../schema.js";
import type { AsyncContext, AsyncDetector, DetectorResult } from "./types.js";

const replySchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

/** Parses a guard model's reply text. Throws on anything but `safe` / `unsafe\n<categories>`. */
export function parseGuardReply(content: string, textLength: number, only?: string[]): DetectorResult {
  const lines = content
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const head = lines[0]?.toLowerCase();
  if (head === "safe") return { verdict: "no_match" };
  if (head !== "unsafe") throw new Error("classifier reply is neither 'safe' nor 'unsafe'");
  const cats = (lines[1] ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  const relevant = only ? cats.filter((c) => only.includes(c)) : cats;
  if (only && relevant.length === 0) return { verdict: "no_match" };
  const category = sanitizeCategory(relevant.join(","));
  return {
    verdict: "match",
    data: { spans: [{ start: 0, end: textLength }], ...(category === undefined ? {} : { category }) },
  };
}

export function createClassifierDetector(def: ClassifierDef, fetchFn: typeof fetch): AsyncDetector {
  const url = `${def.base_url.replace(/\/+$/, "")}/chat/completions`;
  return {
    mode: "async",
    type: "classifier",
    timeoutMs: def.timeout_ms,
    async check(text: string, ctx: AsyncContext): Promise<DetectorResult> {
      const res = await fetchFn(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: def.model, messages: [{ role: "user", content: text }] }),
        signal: ctx.signal,
      });
      if (!res.ok) throw new Error(`classifier answered HTTP ${res.status}`);
      const parsed = replySchema.safeParse(await res.json());
      if (!parsed.success) throw new Error("classifier reply is not a chat completion");
      return parseGuardReply(parsed.data.choices[0]?.message.content ?? "", text.length, def.categories);
    },
  };
}
