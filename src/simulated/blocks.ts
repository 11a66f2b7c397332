/**
 * Builders for the content blocks of a reply plan, shared by the scenarios.
 */
import { createHash } from "node:crypto";
import { type Directive, intParam, strParam } from "./directive.js";
import type { PlannedBlock } from "./plan.js";
import type { LastUserTurn } from "./request.js";
import { chunkCodePoints, decodeBase64Utf8, firstCodePoints, makeId } from "./text.js";

/** Default delta size in code points. */
export const DEFAULT_CHUNK = 4;

/** A text block streamed as the given pieces. */
export function textBlock(pieces: string[]): PlannedBlock {
  return {
    start: { type: "text", text: "" },
    items: pieces.map((text) => ({ delta: { type: "text_delta", text } })),
  };
}

/** `n` deterministic pieces: `word0 `, `word1 `, … */
export function wordPieces(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `word${i} `);
}

/** The directive's rest-of-text, base64-decoded when `encoding=base64`. */
export function directiveText(d: Directive): string {
  return strParam(d, "encoding", "") === "base64" ? decodeBase64Utf8(d.rest) : d.rest;
}

/** Split text into deltas of `chunk=N` code points (default 4). */
export function pieces(d: Directive | null, text: string): string[] {
  return chunkCodePoints(text, Math.max(1, intParam(d, "chunk", DEFAULT_CHUNK)));
}

/**
 * The first `count` deltas of a partial reply: the directive's own text when it has one
 * (so a test controls exactly what arrived before the cut), otherwise `word<i> ` pieces.
 */
export function partialPieces(d: Directive, count: number): string[] {
  const text = directiveText(d);
  return text.length > 0 ? pieces(d, text).slice(0, count) : wordPieces(count);
}

/** The default reply: `Simulated reply to: <first 200 chars>` plus a note of non-text blocks. */
export function defaultReplyText(text: string, turn: LastUserTurn): string {
  const hasMedia = turn.blockCounts.some(([type]) => type !== "text");
  const note = hasMedia ? ` [blocks: ${turn.blockCounts.map(([t, n]) => `${t}=${n}`).join(", ")}]` : "";
  return `Simulated reply to: ${firstCodePoints(text, 200)}${note}`;
}

/** A tool_use block whose input streams as `input_json_delta` pieces, the first one empty as Anthropic does. */
export function toolUseBlock(d: Directive, name: string, input: unknown): PlannedBlock {
  const json = JSON.stringify(input);
  return {
    start: { type: "tool_use", id: makeId("toolu_"), name, input: {}, caller: { type: "direct" } },
    items: ["", ...pieces(d, json)].map((partial_json) => ({
      delta: { type: "input_json_delta", partial_json },
    })),
  };
}

/** A thinking block: thinking deltas, then one signature_delta just before the block stops. */
export function thinkingBlock(d: Directive, thinking: string): PlannedBlock {
  // Deterministic but opaque-looking, like a real signature.
  const signature = createHash("sha512").update(`candor-sim:${thinking}`).digest("base64");
  return {
    start: { type: "thinking", thinking: "", signature: "" },
    items: [
      ...pieces(d, thinking).map((t) => ({ delta: { type: "thinking_delta" as const, thinking: t } })),
      { delta: { type: "signature_delta", signature } },
    ],
  };
}

/** Parse the rest-of-text as a JSON object for a tool input, or `null`. */
export function jsonObjectOrNull(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
