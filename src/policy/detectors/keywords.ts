/**
 * `keywords`: word and phrase lists, matched case-insensitively on word boundaries, seeing through leetspeak
 * ("h4te") and look-alike characters. `list: profanity` uses obscenity's English dataset and matcher.
 * Custom lists of every rule of a stage share ONE normalization pass and ONE Aho–Corasick scan.
 */
import {
  englishDataset,
  englishRecommendedTransformers,
  RegExpMatcher,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  type SimpleTransformerContainer,
  type TransformerContainer,
} from "obscenity";
import { AhoCorasick } from "../aho-corasick.js";
import type { KeywordsDef } from "../schema.js";
import { type DetectorResult, fromSpans, MAX_SPANS, type Span, type SyncDetector } from "./types.js";

type Transform = (c: number) => number | undefined;

function simple(t: TransformerContainer): Transform {
  return (t as SimpleTransformerContainer).transform;
}

const confusables = simple(resolveConfusablesTransformer());
const leet = simple(resolveLeetSpeakTransformer());
const WORD = /[\p{L}\p{N}_]/u;

function isWordCharAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return WORD.test(String.fromCodePoint(text.codePointAt(i) ?? c));
}

interface NormOpts {
  leetspeak: boolean;
  confusables: boolean;
}

/** Text folded for matching, with each folded char's source range in the original text. */
export interface Normalized {
  text: string;
  start: Int32Array;
  end: Int32Array;
}

function foldCodePoint(cp: number, o: NormOpts): number {
  let c = cp;
  if (o.confusables) c = confusables(c) ?? c;
  if (o.leetspeak) c = leet(c) ?? c;
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  const lower = String.fromCodePoint(c).toLowerCase();
  return lower.length === 1 || (lower.length === 2 && (lower.codePointAt(0) ?? 0) > 0xffff)
    ? (lower.codePointAt(0) ?? c)
    : c;
}

const asciiTables = new Map<string, Int32Array>();
function asciiTable(o: NormOpts): Int32Array {
  const key = `${o.leetspeak}/${o.confusables}`;
  let t = asciiTables.get(key);
  if (!t) {
    t = new Int32Array(128);
    for (let c = 0; c < 128; c++) t[c] = foldCodePoint(c, o);
    asciiTables.set(key, t);
  }
  return t;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000;
}

/** Folds case, leetspeak and confusables, and collapses whitespace runs to one space. */
export function normalizeForKeywords(text: string, o: NormOpts): Normalized {
  const table = asciiTable(o);
  const out: number[] = [];
  const start = new Int32Array(text.length + 1);
  const end = new Int32Array(text.length + 1);
  let k = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    if (isSpace(cp)) {
      if (k > 0 && out[k - 1] === 32) {
        end[k - 1] = i + width;
      } else {
        out.push(32);
        start[k] = i;
        end[k++] = i + width;
      }
    } else {
      const f = cp < 128 ? (table[cp] as number) : foldCodePoint(cp, o);
      const s = String.fromCodePoint(f);
      for (let u = 0; u < s.length; u++) {
        out.push(s.charCodeAt(u));
        start[k] = i;
        end[k++] = i + width;
      }
    }
    i += width;
  }
  let folded = "";
  for (let i = 0; i < out.length; i += 8192) folded += String.fromCharCode(...out.slice(i, i + 8192));
  return { text: folded, start, end };
}

function normalizeTerm(term: string, o: NormOpts): string {
  return normalizeForKeywords(term.trim(), o).text;
}

let profanityMatcher: RegExpMatcher | undefined;
function profanity(): RegExpMatcher {
  profanityMatcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return profanityMatcher;
}

interface Entry {
  key: number;
  word: boolean;
}

/** All keyword rules of a stage, scanned together. `key` identifies the rule in the result. */
export class KeywordIndex {
  private readonly groups: Array<{
    opts: NormOpts;
    ac: AhoCorasick;
    terms: Array<{ entry: Entry; len: number }>;
  }> = [];
  private readonly profane: number[] = [];

  constructor(rules: ReadonlyArray<{ key: number; def: KeywordsDef }>) {
    const byOpts = new Map<
      string,
      { opts: NormOpts; terms: string[]; meta: Array<{ entry: Entry; len: number }> }
    >();
    for (const { key, def } of rules) {
      if (def.list === "profanity") this.profane.push(key);
      const opts = { leetspeak: def.leetspeak, confusables: def.confusables };
      const gk = `${opts.leetspeak}/${opts.confusables}`;
      const g = byOpts.get(gk) ?? { opts, terms: [], meta: [] };
      byOpts.set(gk, g);
      for (const w of def.words ?? []) {
        const t = normalizeTerm(w, opts);
        if (t.length === 0) continue;
        g.terms.push(t);
        g.meta.push({ entry: { key, word: def.match === "word" }, len: t.length });
      }
    }
    for (const g of byOpts.values()) {
      if (g.terms.length > 0)
        this.groups.push({ opts: g.opts, ac: new AhoCorasick(g.terms, { foldCase: false }), terms: g.meta });
    }
  }

  get empty(): boolean {
    return this.groups.length === 0 && this.profane.length === 0;
  }

  /** Spans per rule key (only keys with at least one span). */
  scan(text: string): Map<number, Span[]> {
    const found = new Map<number, Span[]>();
    const add = (key: number, span: Span) => {
      const list = found.get(key) ?? [];
      if (list.length < MAX_SPANS) list.push(span);
      found.set(key, list);
    };
    for (const g of this.groups) {
      const norm = normalizeForKeywords(text, g.opts);
      g.ac.scan(norm.text, (p, e) => {
        const t = g.terms[p];
        if (!t) return;
        const s = e - t.len;
        const start = norm.start[s] as number;
        const end = norm.end[e - 1] as number;
        // Boundaries are judged on the ORIGINAL text: "kill!" still ends a word although '!' folds to 'i'.
        if (t.entry.word && (isWordCharAt(text, start - 1) || isWordCharAt(text, end))) return;
        add(t.entry.key, { start, end });
      });
    }
    if (this.profane.length > 0) {
      const matches = profanity().getAllMatches(text, true);
      for (const key of this.profane)
        for (const m of matches) add(key, { start: m.startIndex, end: m.endIndex + 1 });
    }
    for (const spans of found.values()) spans.sort((a, b) => a.start - b.start || b.end - a.end);
    return found;
  }
}

/** A standalone keywords detector for one rule. */
export function createKeywordsDetector(def: KeywordsDef): SyncDetector {
  const index = new KeywordIndex([{ key: 0, def }]);
  return {
    mode: "sync",
    type: "keywords",
    scan(text: string): DetectorResult {
      return fromSpans(index.scan(text).get(0) ?? []);
    },
  };
}
