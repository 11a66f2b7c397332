/**
 * Send-time stamps carried inside streamed text, so a client can tell how late each delta arrived even after a
 * proxy re-chunked the text. Letters only: digits would look like phone or card numbers to the PII detectors,
 * and mixed case plus digits like a secret token, so a stamp never triggers a policy.
 */

const ALPHABET = "abcdefghijklmnopqrstuvwxyz";
/** Letters per stamp: 26^7 µs ≈ 2.2 hours of wrap-around, far longer than any delta's trip. */
export const STAMP_LETTERS = 7;
const MODULUS = 26 ** STAMP_LETTERS;

/** Wall-clock time in µs, comparable across processes on one machine. */
export function wallMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Encodes a wall-clock time (µs) as STAMP_LETTERS lowercase letters. */
export function encodeStamp(micros: number): string {
  let v = micros % MODULUS;
  let out = "";
  for (let i = 0; i < STAMP_LETTERS; i++) {
    out = (ALPHABET[v % 26] ?? "a") + out;
    v = Math.floor(v / 26);
  }
  return out;
}

/** Decodes a stamp back to the wall-clock time (µs) closest before `nowMicros`; null if it is not a stamp. */
export function decodeStamp(stamp: string, nowMicros: number): number | null {
  if (stamp.length !== STAMP_LETTERS) return null;
  let v = 0;
  for (const ch of stamp) {
    const d = ch.charCodeAt(0) - 97;
    if (d < 0 || d > 25) return null;
    v = v * 26 + d;
  }
  const ago = ((((nowMicros % MODULUS) - v) % MODULUS) + MODULUS) % MODULUS;
  return nowMicros - ago;
}

/** Letters-only id for request n (unique bodies defeat Candor's retry de-duplication, as real traffic does). */
export function letterId(n: number): string {
  let v = n;
  let out = "";
  do {
    out = (ALPHABET[v % 26] ?? "a") + out;
    v = Math.floor(v / 26);
  } while (v > 0);
  return out.padStart(6, "a");
}
