/**
 * Helpers for `holdFrom`: where, at the end of a streamed text, a match could still be in progress. A "tail"
 * regex is anchored at the end (`$`) and matches every text suffix that could be the start of a match (or a
 * match that could still grow); its leftmost match is the earliest such start.
 */

/** Escapes a literal for use inside a regex source. */
function escapeRe(lit: string): string {
  return lit.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** Regex source matching any non-empty prefix of `lit` (longest first). */
export function prefixesOf(lit: string): string {
  const alts: string[] = [];
  for (let n = lit.length; n >= 1; n--) alts.push(escapeRe(lit.slice(0, n)));
  return `(?:${alts.join("|")})`;
}

/** A global tail regex from its source (the caller writes the `$`). */
export function tail(source: string, flags = ""): RegExp {
  return new RegExp(source, `${flags}g`);
}

/**
 * The smallest index `i >= from` where the tail regex matches through to the end of `text`, or `text.length`.
 * Look-behinds still see the text before `from`.
 */
export function tailFrom(re: RegExp, text: string, from: number): number {
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : text.length;
}

/** The smallest tail start over several tail regexes. */
export function minTail(res: readonly RegExp[], text: string, from: number): number {
  let at = text.length;
  for (const re of res) {
    at = Math.min(at, tailFrom(re, text, from));
    if (at <= from) return from;
  }
  return at;
}
