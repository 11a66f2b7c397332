import { createHash, randomBytes } from "node:crypto";

/** Random, URL-safe ids with a readable prefix (ten_, key_, ses_, turn_, int_…). */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString("base64url")}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
