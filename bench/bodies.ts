/** Request bodies for the bench: every body is unique (as real traffic is), and carries its reply shape. */
import type { ReplyShape } from "./mock-upstream.js";
import { letterId } from "./stamp.js";

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/** The model string the mock reads its reply shape from (it survives the proxy untouched). */
export function modelFor(shape: Partial<ReplyShape>): string {
  const parts: string[] = [];
  if (shape.deltas !== undefined) parts.push(`deltas=${shape.deltas}`);
  if (shape.delayMs !== undefined) parts.push(`delay=${shape.delayMs}`);
  if (shape.firstMs !== undefined) parts.push(`first=${shape.firstMs}`);
  if (shape.chars !== undefined) parts.push(`chars=${shape.chars}`);
  return `bench:${parts.join(",")}`;
}

let counter = 0;

/** A fresh user message (letters only, so no PII or secret detector fires on it). */
export function userMessage(): string {
  return `Bench request ${letterId(counter++)}: summarise the plot of a short story in two sentences, please.`;
}

/** A Messages body with a new user turn after `history` (empty: a new conversation). */
export function messagesBody(
  shape: Partial<ReplyShape>,
  stream: boolean,
  history: ChatMessage[] = [],
): string {
  return JSON.stringify({
    model: modelFor(shape),
    max_tokens: 256,
    stream,
    messages: [...history, { role: "user", content: userMessage() }],
  });
}

/** The same as messagesBody, but the caller chooses the new user message (conversations keep it). */
export function conversationBody(shape: Partial<ReplyShape>, history: ChatMessage[]): string {
  return JSON.stringify({ model: modelFor(shape), max_tokens: 256, stream: true, messages: history });
}

let sessions = 0;

/** Headers giving a request its own named session, so its stored rows can be attributed to its scenario. */
export function sessionHeaders(prefix: string | undefined): Record<string, string> {
  return prefix ? { "x-candor-session": `${prefix}${letterId(sessions++)}` } : {};
}
