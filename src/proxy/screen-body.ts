/**
 * Output screening of a whole (non-streaming) Message: each text and tool_use block goes through the same output
 * screen the streaming relay uses, so both paths decide alike.
 */
import type { PolicyEngine } from "../policy/engine.js";
import type { RuleMatch } from "../policy/types.js";
import type { Block } from "./accumulate.js";
import type { WithheldBlock } from "./relay.js";

export interface ScreenedBody {
  body: Record<string, unknown>;
  changed: boolean;
  block: boolean;
  matches: RuleMatch[];
  /** Blocks before the blocking one (shown with the notice). */
  keptContent: Block[];
  withheld: WithheldBlock[];
}

export async function screenNonStreaming(
  engine: PolicyEngine | null,
  body: Record<string, unknown>,
): Promise<ScreenedBody> {
  const content = Array.isArray(body.content) ? (body.content as Block[]) : [];
  const none: ScreenedBody = {
    body,
    changed: false,
    block: false,
    matches: [],
    keptContent: [],
    withheld: [],
  };
  if (!engine || content.length === 0) return none;
  const screen = engine.createOutputScreen();
  const matches: RuleMatch[] = [];
  const out: Block[] = [];
  const withheld: WithheldBlock[] = [];
  let changed = false;
  for (const [index, block] of content.entries()) {
    const target = screenTarget(block);
    if (!target) {
      out.push(block);
      continue;
    }
    const first = screen.push(index, target.kind, target.text);
    const last = await screen.end(index);
    matches.push(...first.matches, ...last.matches);
    const released = first.release + last.release;
    if (first.block || last.block) {
      withheld.push({ index, kind: target.kind, original: target.text });
      return { body, changed: true, block: true, matches, keptContent: out, withheld };
    }
    if (released !== target.text) {
      changed = true;
      withheld.push({ index, kind: target.kind, original: target.text });
      out.push(target.rebuild(released));
    } else out.push(block);
  }
  return {
    body: changed ? { ...body, content: out } : body,
    changed,
    block: false,
    matches,
    keptContent: out,
    withheld,
  };
}

function screenTarget(
  block: Block,
): { kind: "text" | "tool_input" | "thinking"; text: string; rebuild(t: string): Block } | null {
  if (block.type === "text")
    return { kind: "text", text: String(block.text ?? ""), rebuild: (t) => ({ ...block, text: t }) };
  if (block.type === "tool_use") {
    return {
      kind: "tool_input",
      text: JSON.stringify(block.input ?? {}),
      rebuild: (t) => ({ ...block, input: JSON.parse(t) as unknown }),
    };
  }
  if (block.type === "thinking") {
    return {
      kind: "thinking",
      text: String(block.thinking ?? ""),
      rebuild: (t) => ({ ...block, thinking: t }),
    };
  }
  return null;
}
