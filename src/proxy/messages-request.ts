/**
 * What Candor needs to know of a Messages request. Only the fields Candor acts on are validated; everything else
 * (unknown fields included) is the upstream's to judge and passes through untouched in `raw`.
 */
import { z } from "zod";
import { AppError } from "../http/errors.js";

const messageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});

const requestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
});

export type MessagesBody = z.infer<typeof requestSchema>;

export interface MessagesRequest {
  /** The body exactly as received, forwarded as-is unless input moderation rewrote it. */
  raw: string;
  body: MessagesBody;
  stream: boolean;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.join(".") : "body";
  return `${path}: ${issue.message}`;
}

/** Validates a parsed JSON body; throws AppError(invalid_request_error) naming the field. */
export function parseMessagesRequest(raw: string, json: unknown): MessagesRequest {
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new AppError("invalid_request_error", first ? describeIssue(first) : "invalid request body");
  }
  return { raw, body: parsed.data, stream: parsed.data.stream === true };
}
