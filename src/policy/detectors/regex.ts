/**
 * `regex`: operator-written patterns, compiled once at load. All regex rules of a stage share one
 * Aho–Corasick pass over the literals their patterns require; a pattern runs only on texts containing one of
 * its literals (patterns with no extractable literal always run). So the cost of a clean text grows with its
 * length, not with rules × length.
 */
import { AhoCorasick } from "../aho-corasick.js";
import { requiredLiterals } from "../regex-literals.js";
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

/** All regex rules of a stage, scanned together. `key` identifies the rule in the result. */
export class RegexIndex {
  private readonly always: Compiled[] = [];
  private readonly filtered: Compiled[] = [];
  /** literal index → indexes into `filtered` */
  private readonly literalOwners: number[][] = [];
  private readonly ac: AhoCorasick | undefined;

  constructor(rules: ReadonlyArray<{ key: number; def: RegexDef }>) {
    const literals: string[] = [];
    for (const { key, def } of rules) {
      for (const source of def.patterns) {
        const c = { key, re: new RegExp(source, `${def.flags}g`) };
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
  };
}
