/**
 * Small text and id helpers shared by the simulated model.
 * Everything here is pure, so replies stay deterministic (ids excepted: real ids are random too).
 */
import { randomBytes } from "node:crypto";

const ID_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** A random id in Anthropic's style: `<prefix>01` followed by 22 base58-ish characters. */
export function makeId(prefix: string): string {
  const bytes = randomBytes(22);
  let out = "";
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return `${prefix}01${out}`;
}

/** A request id as the simulated model emits it: `req_sim_<random>`. */
export function makeRequestId(): string {
  return `req_sim_${randomBytes(12).toString("hex")}`;
}

/**
 * Split text into pieces of `size` Unicode code points. Splitting by code point (not UTF-16 unit)
 * means a surrogate pair (emoji, rare CJK) is never cut in half across two deltas.
 */
export function chunkCodePoints(text: string, size: number): string[] {
  const points = Array.from(text);
  const step = Math.max(1, Math.floor(size));
  const out: string[] = [];
  for (let i = 0; i < points.length; i += step) out.push(points.slice(i, i + step).join(""));
  return out;
}

/** The first `n` code points of `text`. */
export function firstCodePoints(text: string, n: number): string {
  return Array.from(text).slice(0, n).join("");
}

/** Decode base64 (standard or URL-safe) to UTF-8 text. */
export function decodeBase64Utf8(encoded: string): string {
  return Buffer.from(encoded.trim(), "base64").toString("utf8");
}

/** Anthropic-style token estimate used everywhere here: about one token per four characters, at least 1. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}
