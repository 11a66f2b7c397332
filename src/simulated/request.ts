/**
 * Reading a Messages API request body: validation of the required fields, the text the simulated
 * model reacts to (last user turn, system prompt) and a deterministic token estimate.
 * Bodies are treated as untrusted JSON: every field is checked before use, unknown fields are ignored.
 */
import { estimateTokens } from "./text.js";

type Json = Record<string, unknown>;

/** The fields of a Messages request the simulated model looks at. */
export interface MessagesRequest {
  model: string;
  maxTokens: number | null;
  stream: boolean;
  messages: unknown[];
  system: unknown;
  tools: unknown[];
  raw: Json;
}

/** What the simulated model reads from the last `user` message. */
export interface LastUserTurn {
  /** Text of the first text block (or the whole string content): where a directive may sit. */
  firstText: string;
  /** All text of the message (text blocks and tool_result text), joined with newlines. */
  allText: string;
  /** How many blocks of each type the message had, in order of first appearance. */
  blockCounts: Array<[string, number]>;
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Check the fields Anthropic requires and return the request, or the `invalid_request_error`
 * message Anthropic would give (`<field>: Field required`).
 */
export function parseMessagesRequest(
  body: unknown,
  opts: { requireMaxTokens: boolean },
): MessagesRequest | { error: string } {
  if (!isObject(body)) return { error: "Request body must be a JSON object" };
  if (body.model === undefined) return { error: "model: Field required" };
  if (typeof body.model !== "string") return { error: "model: Input should be a valid string" };
  if (body.messages === undefined) return { error: "messages: Field required" };
  if (!Array.isArray(body.messages)) return { error: "messages: Input should be a valid list" };
  const maxTokens = body.max_tokens;
  if (opts.requireMaxTokens && maxTokens === undefined) return { error: "max_tokens: Field required" };
  if (maxTokens !== undefined && (typeof maxTokens !== "number" || !Number.isInteger(maxTokens))) {
    return { error: "max_tokens: Input should be a valid integer" };
  }
  return {
    model: body.model,
    maxTokens: typeof maxTokens === "number" ? maxTokens : null,
    stream: body.stream === true,
    messages: body.messages,
    system: body.system,
    tools: Array.isArray(body.tools) ? body.tools : [],
    raw: body,
  };
}

/** Text of a tool_result's content (a string or an array of blocks). */
function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(isObject)
    .map((b) => (typeof b.text === "string" ? b.text : ""))
    .filter((t) => t.length > 0)
    .join("\n");
}

/** Read the last `user` message of a request (an empty turn if there is none). */
export function readLastUserTurn(messages: unknown[]): LastUserTurn {
  const last = [...messages].reverse().find((m) => isObject(m) && m.role === "user");
  const content = isObject(last) ? last.content : undefined;
  if (typeof content === "string") return { firstText: content, allText: content, blockCounts: [] };
  const blocks = Array.isArray(content) ? content.filter(isObject) : [];
  const counts = new Map<string, number>();
  const texts: string[] = [];
  let firstText: string | undefined;
  for (const block of blocks) {
    const type = typeof block.type === "string" ? block.type : "unknown";
    counts.set(type, (counts.get(type) ?? 0) + 1);
    if (type === "text" && typeof block.text === "string") {
      firstText ??= block.text;
      texts.push(block.text);
    } else if (type === "tool_result") {
      const t = toolResultText(block.content);
      if (t) texts.push(t);
    }
  }
  return { firstText: firstText ?? "", allText: texts.join("\n"), blockCounts: [...counts.entries()] };
}

/** The system prompt as plain text (a string, or text blocks joined with newlines). */
export function systemText(system: unknown): string {
  if (typeof system === "string") return system;
  if (!Array.isArray(system)) return "";
  return system
    .filter(isObject)
    .map((b) => (typeof b.text === "string" ? b.text : ""))
    .join("\n");
}

/** Characters of model-visible text in one content block. */
function blockChars(block: unknown): number {
  if (typeof block === "string") return block.length;
  if (!isObject(block)) return 0;
  if (typeof block.text === "string") return block.text.length;
  if (typeof block.thinking === "string") return block.thinking.length;
  if (block.type === "tool_use") return JSON.stringify(block.input ?? {}).length;
  if (block.type === "tool_result") return toolResultText(block.content).length;
  return 0;
}

/**
 * Deterministic input-token estimate (~chars/4) over the system prompt, every message's text and
 * the tool definitions. Used by count_tokens and by `usage.input_tokens`, so the two agree.
 */
export function countInputTokens(req: Pick<MessagesRequest, "messages" | "system" | "tools">): number {
  let chars = systemText(req.system).length;
  for (const message of req.messages) {
    const content = isObject(message) ? message.content : undefined;
    if (typeof content === "string") chars += content.length;
    else if (Array.isArray(content)) for (const block of content) chars += blockChars(block);
  }
  if (req.tools.length > 0) chars += JSON.stringify(req.tools).length;
  return estimateTokens(chars);
}

/** Name of the first tool the request offers (`get_weather` when it offers none). */
export function firstToolName(tools: unknown[]): string {
  const first = tools.find(isObject);
  return first && typeof first.name === "string" ? first.name : "get_weather";
}
