/**
 * `regex`: operator-written patterns, compiled once at load. All regex rules of a stage share one
 * Aho–Corasick pass over the literals their patterns require; a pattern runs only on texts containing one of
 * its literals (patterns with no extractable literal always run). So the cost of a clean text grows with its
 * length, not with rules × length.
 */
import { AhoCorasick } from "../aho-corasick.js";
import { leadingLiteral, requiredLiterals } from "../regex-literals.js";
import type { RegexDef } from "../schema.js";
import { type DetectorResult, fromSpans, MAX_SPANS, type Span, type SyncDetector } from "./types.js";

/** Every non-empty match of a global regex, as spans. */
export function execAll(re: RegExp, text: string, out: Span[] = [], offset = 0): Span[] {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push({ start: offset + m.index, end: offset + m.index + m[0].length });
    if (out.length >= MAX_SPANS) break;
  }
  return out;
}

interface Compiled {
  key: number;
  re: RegExp;
}

/** What every match of a pattern starts with, for `holdFrom` (`lit` is lower-cased when `ci`). */
interface Lead {
  lit: string;
  ci: boolean;
}

/** Lower-cased for comparison with a case-insensitive literal; null when lower-casing moved indexes. */
function lowered(text: string): string | null {
  // U+017F (long s) folds to "s" in Unicode case-insensitive regexes; toLowerCase already maps U+212A to "k".
  const low = text.toLowerCase().replace(/\u017f/g, "s");
  return low.length === text.length ? low : null;
}

/** Smallest i >= from where `text.slice(i)` starts with `lit` or is a non-empty prefix of it. */
function leadFrom(text: string, lit: string, from: number): number {
  const full = text.indexOf(lit, from);
  const end = full < 0 ? text.length : full;
  for (let i = Math.max(from, text.length - lit.length + 1); i < end; i++) {
    if (lit.startsWith(text.slice(i))) return i;
  }
  return end;
}

/** All regex rules of a stage, scanned together. `key` identifies the rule in the result. */
export class RegexIndex {
  private readonly always: Compiled[] = [];
  private readonly filtered: Compiled[] = [];
  /** literal index → indexes into `filtered` */
  private readonly literalOwners: number[][] = [];
  private readonly ac: AhoCorasick | undefined;
  /** Leading literal per pattern; null when some pattern has none (the stream then holds its whole window). */
  private readonly leads: Lead[] | null = [];

  constructor(rules: ReadonlyArray<{ key: number; def: RegexDef }>) {
    const literals: string[] = [];
    for (const { key, def } of rules) {
      for (const source of def.patterns) {
        const c = { key, re: new RegExp(source, `${def.flags}g`) };
        const lead = leadingLiteral(source, def.flags);
        const ci = def.flags.includes("i");
        if (lead === null) this.leads = null;
        else this.leads?.push({ lit: ci ? lead.toLowerCase() : lead, ci });
        const lits = requiredLiterals(source, def.flags);
        if (lits === null) {
          this.always.push(c);
          continue;
        }
        const at = this.filtered.push(c) - 1;
        for (const l of lits) {
          literals.push(l);
          this.literalOwners.push([at]);
        }
      }
    }
    this.ac = literals.length > 0 ? new AhoCorasick(literals, { foldCase: true }) : undefined;
  }

  get empty(): boolean {
    return this.always.length === 0 && this.filtered.length === 0;
  }

  /**
   * Where a match could still be in progress at the end of `text` (see `SyncDetector.holdFrom`). A pattern
   * with a known leading literal can only start where that literal (or, at the very end, a prefix of it)
   * occurs; any other pattern could start anywhere, so everything from `from` is held.
   */
  holdFrom(text: string, from: number): number {
    if (this.leads === null) return from;
    const rest = text.slice(from);
    let low: string | null | undefined;
    let at = rest.length;
    for (const { lit, ci } of this.leads) {
      if (ci) low ??= lowered(rest);
      const hay = ci ? low : rest;
      if (hay === null || hay === undefined) return from;
      at = Math.min(at, leadFrom(hay, lit, 0));
      if (at === 0) return from;
    }
    return from + at;
  }

  /** Spans per rule key (only keys with at least one span). */
  scan(text: string): Map<number, Span[]> {
    const run = new Set<Compiled>(this.always);
    if (this.ac) {
      const seen = this.ac.present(text);
      for (let i = 0; i < seen.length; i++) {
        if (seen[i] === 1) for (const f of this.literalOwners[i] ?? []) run.add(this.filtered[f] as Compiled);
      }
    }
    const found = new Map<number, Span[]>();
    for (const c of run) {
      const spans = execAll(c.re, text, found.get(c.key) ?? []);
      if (spans.length > 0) found.set(c.key, spans);
    }
    for (const spans of found.values()) spans.sort((a, b) => a.start - b.start || b.end - a.end);
    return found;
  }
}

/** A standalone regex detector for one rule. */
export function createRegexDetector(def: RegexDef): SyncDetector {
  const index = new RegexIndex([{ key: 0, def }]);
  return {
    mode: "sync",
    type: "regex",
    scan(text: string): DetectorResult {
      return fromSpans(index.scan(text).get(0) ?? []);
    },
    holdFrom: (text: string, from: number) => index.holdFrom(text, from),
  };
}
