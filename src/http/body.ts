/**
 * Reading a JSON request body safely: bounded size (checked before and while reading), strict UTF-8, JSON.
 * Each failure is an AppError in the API's own error shape.
 */
import { AppError } from "./errors.js";

export async function readJsonBody(req: Request, maxBytes: number): Promise<{ raw: string; json: unknown }> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type.trim())) {
    throw new AppError(
      "invalid_request_error",
      `Expected content-type application/json, got ${type ? `"${type.slice(0, 60)}"` : "none"}.`,
    );
  }
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readBounded(req, maxBytes);
  let raw: string;
  try {
    raw = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid_request_error", "The request body is not valid UTF-8.");
  }
  if (raw.trim() === "")
    throw new AppError("invalid_request_error", "The request body is empty; expected a JSON object.");
  try {
    return { raw, json: JSON.parse(raw) as unknown };
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message.slice(0, 120)}` : "";
    throw new AppError("invalid_request_error", `The request body is not valid JSON${detail}`);
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("request_too_large", `Request exceeds the maximum allowed size of ${maxBytes} bytes.`);
}

async function readBounded(req: Request, maxBytes: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
