import type { z } from "zod";
import { readJsonBody } from "./body.js";
import { AppError } from "./errors.js";

const SMALL_BODY = 1024 * 1024;

/** Reads and validates a small JSON body; a failure is a 400 naming the field. */
export async function parseJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  opts: { allowEmpty?: boolean } = {},
): Promise<z.infer<S>> {
  const empty = req.headers.get("content-length") === "0" || (!req.body && !req.headers.get("content-type"));
  let json: unknown = {};
  if (!(opts.allowEmpty && empty)) json = (await readJsonBody(req, SMALL_BODY)).json;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? first.path.join(".") : "body";
    throw new AppError("invalid_request_error", `${where}: ${first?.message ?? "invalid"}`);
  }
  return parsed.data;
}
