/** Small clients for the transparency door and stream helpers, as an app would write them. */
import type Anthropic from "@anthropic-ai/sdk";

export async function api<T = Record<string, unknown>>(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "x-api-key": key, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as T };
}

export interface StreamResult {
  text: string;
  sessionId: string | null;
  turnId: string | null;
  error: unknown;
  events: string[];
}

/** Raw `stream: true` iteration, collecting the text the app actually received, until the end or an error. */
export async function streamText(
  client: Anthropic,
  content: string,
  opts: {
    history?: Anthropic.MessageParam[];
    abortAfterDeltas?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<StreamResult> {
  const controller = new AbortController();
  const result: StreamResult = { text: "", sessionId: null, turnId: null, error: null, events: [] };
  try {
    const { data: stream, response } = await client.messages
      .create(
        {
          model: "claude-sim-1",
          max_tokens: 512,
          stream: true,
          messages: [...(opts.history ?? []), { role: "user", content }],
        },
        { signal: controller.signal, ...(opts.headers ? { headers: opts.headers } : {}) },
      )
      .withResponse();
    result.sessionId = response.headers.get("x-candor-session");
    result.turnId = response.headers.get("x-candor-turn");
    let deltas = 0;
    for await (const e of stream) {
      result.events.push(e.type);
      if (e.type === "content_block_delta" && e.delta.type === "text_delta") {
        result.text += e.delta.text;
        if (opts.abortAfterDeltas && ++deltas >= opts.abortAfterDeltas) controller.abort();
      }
    }
  } catch (err) {
    result.error = err;
  }
  return result;
}

export async function until<T>(fn: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Text of the last restored message. */
export function lastText(messages: Array<{ role: string; content: unknown }>): string {
  const last = messages[messages.length - 1];
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return (last.content as Array<{ type: string; text?: string }>)
    .filter((b) => b.type === "text")
    .map((b) => b.text ?? "")
    .join("");
}
