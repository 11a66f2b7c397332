/** Anthropic messages → OpenAI chat messages, for `restore` with `format: "openai"`. */

type Block = Record<string, unknown> & { type: string };
type OpenAiMessage =
  | { role: "system" | "user" | "assistant"; content: string | null; tool_calls?: unknown[] }
  | { role: "tool"; tool_call_id: string; content: string };

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Block[])
    .map((b) => (b.type === "text" ? String(b.text ?? "") : ""))
    .filter(Boolean)
    .join("\n");
}

export function toOpenAiMessages(
  system: unknown,
  messages: Array<{ role: "user" | "assistant"; content: unknown }>,
): OpenAiMessage[] {
  const out: OpenAiMessage[] = [];
  if (system != null) out.push({ role: "system", content: textOf(system) });
  for (const m of messages) {
    const blocks: Block[] =
      typeof m.content === "string" ? [{ type: "text", text: m.content }] : ((m.content as Block[]) ?? []);
    if (m.role === "assistant") {
      const calls = blocks
        .filter((b) => b.type === "tool_use")
        .map((b) => ({
          id: b.id,
          type: "function",
          function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
        }));
      out.push({
        role: "assistant",
        content: textOf(blocks) || null,
        ...(calls.length ? { tool_calls: calls } : {}),
      });
      continue;
    }
    for (const b of blocks.filter((x) => x.type === "tool_result")) {
      out.push({ role: "tool", tool_call_id: String(b.tool_use_id ?? ""), content: textOf(b.content) });
    }
    const text = textOf(blocks);
    if (text) out.push({ role: "user", content: text });
  }
  return out;
}
