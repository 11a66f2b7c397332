import { createHash, randomBytes } from "node:crypto";

/**
 * Random bytes for ids, drawn from a pool refilled 4 KiB at a time: a turn takes several ids, and each
 * `randomBytes` call is a trip into OpenSSL (1.25 % of a turn's CPU in the bench profile). Node's own
 * `randomUUID` pools the same way. Every byte is handed out once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

function pooledRandom(bytes: number): Buffer {
  if (bytes > POOL_BYTES) return randomBytes(bytes);
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return out;
}

/** Random, URL-safe ids with a readable prefix (ten_, key_, ses_, turn_, int_…). */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${pooledRandom(bytes).toString("base64url")}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
