/**
 * The examinable texts of a Messages request, each with its stage and exact location: the system prompt,
 * every block of every message (not only the last), tool results (nested blocks too), document text
 * sources, tool_use inputs (as JSON text) and thinking. Images, PDFs and redacted thinking cannot be read
 * as text: they are counted, so a screening can say what it did not examine.
 */
import type { SegmentKind } from "./evaluate.js";
import type { MessagesRequestLike, Screening, Stage } from "./types.js";

export interface Segment {
  stage: Stage;
  kind: SegmentKind;
  text: string;
  messageIndex: number | null;
  blockIndex: number | null;
  /** JSON path of the examined value inside the request. */
  path: Array<string | number>;
}

type Skipped = Screening["skipped"];
type Block = Record<string, unknown>;

function isBlock(v: unknown): v is Block {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

interface Walk {
  out: Segment[];
  skipped: Skipped;
  messageIndex: number | null;
  blockIndex: number | null;
}

function add(w: Walk, stage: Stage, kind: SegmentKind, text: unknown, path: Array<string | number>): void {
  if (typeof text === "string" && text.length > 0) {
    w.out.push({ stage, kind, text, messageIndex: w.messageIndex, blockIndex: w.blockIndex, path });
  }
}

/** String content or an array of blocks, at `path`. */
function walkContent(
  w: Walk,
  stage: Stage,
  content: unknown,
  path: Array<string | number>,
  top: boolean,
): void {
  if (typeof content === "string") {
    add(w, stage, "text", content, path);
    return;
  }
  if (!Array.isArray(content)) return;
  content.forEach((block, j) => {
    if (top) w.blockIndex = j;
    if (isBlock(block)) walkBlock(w, stage, block, [...path, j]);
    else w.skipped.other++;
  });
}

function walkDocument(w: Walk, stage: Stage, b: Block, path: Array<string | number>): void {
  const src = isBlock(b.source) ? b.source : undefined;
  if (src?.type === "text") add(w, stage, "text", src.data, [...path, "source", "data"]);
  else if (src?.type === "content") walkContent(w, stage, src.content, [...path, "source", "content"], false);
  else w.skipped.documents++;
  add(w, stage, "text", b.context, [...path, "context"]);
}

function walkBlock(w: Walk, stage: Stage, b: Block, path: Array<string | number>): void {
  const type = typeof b.type === "string" ? b.type : "";
  if (type === "text") add(w, stage, "text", b.text, [...path, "text"]);
  else if (type === "image") w.skipped.images++;
  else if (type === "document") walkDocument(w, stage, b, path);
  else if (type === "tool_result") walkContent(w, "tool_result", b.content, [...path, "content"], false);
  else if (type.endsWith("tool_use") && "input" in b) {
    add(w, "tool_use", "json", JSON.stringify(b.input ?? {}), [...path, "input"]);
  } else if (type === "thinking") add(w, stage, "thinking", b.thinking, [...path, "thinking"]);
  else if (type === "redacted_thinking") w.skipped.redactedThinking++;
  // Other blocks (search results, server tool results, future types): read their text if they carry any.
  else if (typeof b.text === "string") add(w, stage, "text", b.text, [...path, "text"]);
  else if (Array.isArray(b.content)) {
    walkContent(
      w,
      type.endsWith("tool_result") ? "tool_result" : stage,
      b.content,
      [...path, "content"],
      false,
    );
  } else w.skipped.other++;
}

/**
 * Every text of the request. User messages are stage `input`; assistant messages in history are `output`
 * (the model's words replayed, or a client-written prefill); their tool calls are `tool_use`.
 */
export function extractSegments(req: MessagesRequestLike): { segments: Segment[]; skipped: Skipped } {
  const w: Walk = {
    out: [],
    skipped: { images: 0, documents: 0, redactedThinking: 0, other: 0 },
    messageIndex: null,
    blockIndex: null,
  };
  if (typeof req.system === "string") add(w, "system", "text", req.system, ["system"]);
  else if (Array.isArray(req.system)) walkContent(w, "system", req.system, ["system"], true);
  req.messages.forEach((m, i) => {
    w.messageIndex = i;
    w.blockIndex = null;
    walkContent(w, m.role === "assistant" ? "output" : "input", m.content, ["messages", i, "content"], true);
  });
  return { segments: w.out, skipped: w.skipped };
}

/** Sets `value` at `path` inside a (cloned) request. */
export function setAtPath(root: unknown, path: ReadonlyArray<string | number>, value: unknown): void {
  let cur = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++)
    cur = cur[path[i] as string | number] as Record<string | number, unknown>;
  cur[path[path.length - 1] as string | number] = value;
}
