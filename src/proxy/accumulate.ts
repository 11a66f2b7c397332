/**
 * Builds the assistant message from stream events, the same way whether the events are live (the relay) or read
 * back from the journal after a crash. It knows which blocks were complete, so restore can keep partial text and
 * drop a half-streamed tool_use or thinking block.
 */

export type Block = Record<string, unknown> & { type: string };

export interface AccumulatedMessage {
  id: string | null;
  model: string | null;
  content: Block[];
  /** Indexes into `content` of blocks whose content_block_stop never arrived. */
  incompleteBlocks: number[];
  /** The stream `index` of each block in `content` (they may differ when a stream skips indexes). */
  streamIndexes: number[];
  stopReason: string | null;
  stopDetails: unknown;
  usage: Record<string, unknown> | null;
  /** true once message_stop arrived. */
  finished: boolean;
  /** The error event's type when the stream ended with `event: error`. */
  errorType: string | null;
  /** Characters of text (text blocks only) received so far. */
  textChars: number;
}

interface OpenBlock {
  block: Block;
  json: string;
  complete: boolean;
}

type EventData = Record<string, unknown> & { type?: string };

export class MessageAccumulator {
  private blocks = new Map<number, OpenBlock>();
  private msg: Omit<AccumulatedMessage, "content" | "incompleteBlocks" | "streamIndexes"> = {
    id: null,
    model: null,
    stopReason: null,
    stopDetails: null,
    usage: null,
    finished: false,
    errorType: null,
    textChars: 0,
  };

  /** Apply one event (its parsed `data`). Unknown events are ignored. */
  apply(event: string, data: EventData): void {
    switch (event) {
      case "message_start": {
        const m = (data.message ?? {}) as EventData;
        this.msg.id = typeof m.id === "string" ? m.id : null;
        this.msg.model = typeof m.model === "string" ? m.model : null;
        this.msg.usage = (m.usage as Record<string, unknown>) ?? null;
        break;
      }
      case "content_block_start": {
        const index = Number(data.index);
        const block = { ...(data.content_block as Block) };
        this.blocks.set(index, { block, json: "", complete: false });
        break;
      }
      case "content_block_delta":
        this.applyDelta(Number(data.index), (data.delta ?? {}) as EventData);
        break;
      case "content_block_stop": {
        const open = this.blocks.get(Number(data.index));
        if (open) {
          if (open.block.type === "tool_use" || open.block.type === "server_tool_use") {
            open.block.input = open.json ? safeJson(open.json) : (open.block.input ?? {});
          }
          open.complete = true;
        }
        break;
      }
      case "message_delta": {
        const delta = (data.delta ?? {}) as EventData;
        if ("stop_reason" in delta) this.msg.stopReason = (delta.stop_reason as string | null) ?? null;
        if ("stop_details" in delta) this.msg.stopDetails = delta.stop_details;
        if (data.usage)
          this.msg.usage = { ...(this.msg.usage ?? {}), ...(data.usage as Record<string, unknown>) };
        break;
      }
      case "message_stop":
        this.msg.finished = true;
        break;
      case "error": {
        const e = (data.error ?? {}) as EventData;
        this.msg.errorType = typeof e.type === "string" ? e.type : "api_error";
        break;
      }
    }
  }

  private applyDelta(index: number, delta: EventData): void {
    const open = this.blocks.get(index);
    if (!open) return;
    const b = open.block;
    switch (delta.type) {
      case "text_delta": {
        const text = String(delta.text ?? "");
        b.text = String(b.text ?? "") + text;
        this.msg.textChars += text.length;
        break;
      }
      case "input_json_delta":
        open.json += String(delta.partial_json ?? "");
        break;
      case "thinking_delta":
        b.thinking = String(b.thinking ?? "") + String(delta.thinking ?? "");
        break;
      case "signature_delta":
        b.signature = String(delta.signature ?? "");
        break;
      case "citations_delta":
        b.citations = [...((b.citations as unknown[] | null) ?? []), delta.citation];
        break;
    }
  }

  /** Text received so far in a tool_use block (partial JSON), for screening. */
  pendingJson(index: number): string {
    return this.blocks.get(index)?.json ?? "";
  }

  snapshot(): AccumulatedMessage {
    const indexes = [...this.blocks.keys()].sort((a, b) => a - b);
    const content: Block[] = [];
    const incompleteBlocks: number[] = [];
    for (const i of indexes) {
      const open = this.blocks.get(i);
      if (!open) continue;
      const block = { ...open.block };
      if (!open.complete && (block.type === "tool_use" || block.type === "server_tool_use")) {
        block.input = open.json; // unparseable partial JSON, kept only for the moderator view
      }
      if (!open.complete) incompleteBlocks.push(content.length);
      content.push(block);
    }
    return { ...this.msg, content, incompleteBlocks, streamIndexes: indexes };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Reads a non-streaming Message body into the same shape. */
export function accumulateMessageBody(body: EventData): AccumulatedMessage {
  const content = Array.isArray(body.content) ? (body.content as Block[]) : [];
  const textChars = content.reduce((n, b) => n + (b.type === "text" ? String(b.text ?? "").length : 0), 0);
  return {
    id: typeof body.id === "string" ? body.id : null,
    model: typeof body.model === "string" ? body.model : null,
    content,
    incompleteBlocks: [],
    streamIndexes: content.map((_, i) => i),
    stopReason: (body.stop_reason as string | null) ?? null,
    stopDetails: body.stop_details ?? null,
    usage: (body.usage as Record<string, unknown>) ?? null,
    finished: true,
    errorType: null,
    textChars,
  };
}
