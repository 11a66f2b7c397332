/**
 * The scenario directive grammar: `[sim:<name> key=value key=value] rest-of-text`, at the start of the
 * first text block of the last user message (leading whitespace ignored).
 */

/** A parsed directive. `rest` is the text after `]`, with one following space consumed. */
export interface Directive {
  name: string;
  params: Record<string, string>;
  rest: string;
}

const DIRECTIVE = /^\s*\[sim:([A-Za-z0-9_-]+)((?:\s+[A-Za-z0-9_-]+=[^\s\]]*)*)\s*\]/;
const PARAM = /([A-Za-z0-9_-]+)=([^\s\]]*)/g;

/** Parse a directive at the start of `text`, or `null` when there is none. */
export function parseDirective(text: string): Directive | null {
  const match = DIRECTIVE.exec(text);
  if (!match) return null;
  const params: Record<string, string> = {};
  for (const p of (match[2] ?? "").matchAll(PARAM)) {
    const [, key, value] = p;
    if (key !== undefined && value !== undefined) params[key] = value;
  }
  let rest = text.slice(match[0].length);
  if (rest.startsWith(" ")) rest = rest.slice(1);
  return { name: (match[1] ?? "").toLowerCase(), params, rest };
}

/** An integer parameter, or `fallback` when it is absent or not a non-negative integer. */
export function intParam(d: Directive | null, key: string, fallback: number): number {
  const raw = d?.params[key];
  if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
  return Number(raw);
}

/** A string parameter, or `fallback`. */
export function strParam(d: Directive | null, key: string, fallback: string): string {
  return d?.params[key] ?? fallback;
}
