/**
 * Conservative extraction of literal strings a regex match must contain, used as a prefilter: a rule's regex
 * runs only over texts where one of its literals occurs. "Conservative" means: when in doubt, return null
 * (no prefilter, the regex always runs); never return a literal a match could lack.
 */

const MIN_LITERAL = 2;

/** Index just past the character class starting at `i` (which is '['). Handles escapes and v-mode nesting. */
function skipClass(src: string, i: number, nested: boolean): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const ch = src[j];
    if (ch === "\\") j++;
    else if (ch === "[" && (depth === 0 || nested)) depth++;
    else if (ch === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return src.length;
}

/** Index just past the group starting at `i` (which is '('). */
function skipGroup(src: string, i: number, nested: boolean): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const ch = src[j];
    if (ch === "\\") j++;
    else if (ch === "[") j = skipClass(src, j, nested) - 1;
    else if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return src.length;
}

/** Top-level alternatives of a pattern. */
function splitBranches(src: string, nested: boolean): string[] {
  const out: string[] = [];
  let start = 0;
  for (let j = 0; j < src.length; j++) {
    const ch = src[j];
    if (ch === "\\") j++;
    else if (ch === "[") j = skipClass(src, j, nested) - 1;
    else if (ch === "(") j = skipGroup(src, j, nested) - 1;
    else if (ch === "|") {
      out.push(src.slice(start, j));
      start = j + 1;
    }
  }
  out.push(src.slice(start));
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", f: "\f", v: "\v", "0": "\0" };

/** The literal character of the escape at `i` ('\\'), or null when it is a class/assertion/backreference. */
function escapeLiteral(src: string, i: number): { ch: string | null; next: number } {
  const e = src[i + 1] ?? "";
  if (SIMPLE_ESCAPES[e] !== undefined) return { ch: SIMPLE_ESCAPES[e] ?? null, next: i + 2 };
  if (e === "x" && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
    return { ch: String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 4), 16)), next: i + 4 };
  }
  if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
    return { ch: String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16)), next: i + 6 };
  }
  if (e === "c") return { ch: null, next: i + 3 };
  if (/[A-Za-z0-9]/.test(e)) return { ch: null, next: i + 2 };
  return { ch: e, next: i + 2 };
}

/** Quantifier at `i`: its length and whether it allows zero repetitions. */
function quantifier(src: string, i: number): { len: number; optional: boolean } | null {
  const ch = src[i];
  let len = 0;
  let optional = false;
  if (ch === "*" || ch === "?") [len, optional] = [1, true];
  else if (ch === "+") len = 1;
  else if (ch === "{") {
    const m = /^\{(\d+)(,\d*)?\}/.exec(src.slice(i));
    if (!m) return null;
    [len, optional] = [m[0].length, Number(m[1]) === 0];
  } else return null;
  if (src[i + len] === "?") len++;
  return { len, optional };
}

/** Longest run of literal characters in one branch (ASCII-only pieces when case-insensitive). */
function branchLiteral(src: string, caseInsensitive: boolean, nested: boolean): string {
  let best = "";
  let run = "";
  const flush = () => {
    if (run.length > best.length) best = run;
    run = "";
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    let lit: string | null = null;
    let next = i + 1;
    if (ch === "\\") {
      const e = escapeLiteral(src, i);
      [lit, next] = [e.ch, e.next];
      const e2 = src[i + 1];
      if (e2 === "p" || e2 === "P" || e2 === "k" || (e2 === "u" && src[i + 2] === "{"))
        next = skipBraces(src, i + 2);
    } else if (ch === "[") next = skipClass(src, i, nested);
    else if (ch === "(") next = skipGroup(src, i, nested);
    else if (!".^$*+?{}|)]".includes(ch)) lit = ch;
    // Non-ASCII letters fold to other cases we cannot enumerate cheaply: do not rely on them.
    if (lit !== null && caseInsensitive && lit.charCodeAt(0) >= 128) lit = null;
    const q = quantifier(src, next);
    if (q) {
      if (lit !== null && !q.optional) run += lit;
      flush();
      i = next + q.len;
      continue;
    }
    if (lit === null) flush();
    else run += lit;
    i = next;
  }
  flush();
  return best;
}

function skipBraces(src: string, i: number): number {
  if (src[i] !== "{" && src[i] !== "<") return i;
  const close = src.indexOf(src[i] === "{" ? "}" : ">", i);
  return close < 0 ? src.length : close + 1;
}

/**
 * Literals such that every match of the regex contains at least one of them (compared ASCII-case-insensitively),
 * or null when no such set is known.
 */
export function requiredLiterals(source: string, flags: string): string[] | null {
  const nested = flags.includes("v");
  const ci = flags.includes("i");
  const out: string[] = [];
  for (const b of splitBranches(source, nested)) {
    const lit = branchLiteral(b, ci, nested);
    if (lit.length < MIN_LITERAL) return null;
    out.push(lit);
  }
  return out;
}

/** Zero-width assertions a pattern may open with (they only narrow where a match starts). */
function skipLeadingAssertions(src: string, nested: boolean): number {
  let i = 0;
  for (;;) {
    if (src.startsWith("\\b", i) || src.startsWith("\\B", i)) i += 2;
    else if (src[i] === "^") i++;
    else if (/^\(\?(?:<?[=!])/.test(src.slice(i, i + 4))) i = skipGroup(src, i, nested);
    else return i;
  }
}

/**
 * The literal every match of the regex STARTS with (compared case-insensitively under `i`), or null when
 * none is known: then a stream cannot tell where a match of it might start. Conservative like
 * `requiredLiterals`: alternation at the top, classes, groups and optional atoms end the literal.
 */
export function leadingLiteral(source: string, flags: string): string | null {
  const nested = flags.includes("v");
  const ci = flags.includes("i");
  if (splitBranches(source, nested).length !== 1) return null;
  let i = skipLeadingAssertions(source, nested);
  if (quantifier(source, i)) return null;
  let lit = "";
  while (i < source.length) {
    const ch = source[i] as string;
    let c: string | null = null;
    let next = i + 1;
    if (ch === "\\") {
      // "\0" followed by a digit is an octal escape in non-Unicode patterns: not the NUL it looks like.
      if (source[i + 1] === "0" && /\d/.test(source[i + 2] ?? "")) break;
      ({ ch: c, next } = escapeLiteral(source, i));
    } else if (!".^$*+?{}|()[]".includes(ch)) c = ch;
    if (c === null || (ci && c.charCodeAt(0) >= 128)) break;
    const q = quantifier(source, next);
    if (q) {
      if (!q.optional) lit += c;
      break;
    }
    lit += c;
    i = next;
  }
  return lit.length > 0 ? lit : null;
}
