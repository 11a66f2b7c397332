/** SSE framing for the relay: parsing comes from eventsource-parser; this file only writes frames. */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage };

/** One SSE frame as Anthropic writes them. Multi-line data is split into one `data:` line each, as the spec says. */
export function formatFrame(event: string, data: string): string {
  const lines = data.includes("\n")
    ? data
        .split("\n")
        .map((l) => `data: ${l}`)
        .join("\n")
    : `data: ${data}`;
  return `event: ${event}\n${lines}\n\n`;
}

/** A push parser: feed text chunks, get complete events. */
export function createSseParser(onEvent: (e: EventSourceMessage) => void): { feed(text: string): void } {
  const parser = createParser({ onEvent });
  return { feed: (text) => parser.feed(text) };
}

/** Parses a whole SSE text (the journal of a turn) into events. */
export function parseSseText(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(text);
  parser.feed("\n\n");
  return events;
}
