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
  /** Folded index → original start/end; absent when folding kept every index (the ASCII fast path). */
  start?: Int32Array;
  end?: Int32Array;
}

const NON_ASCII = /[\u0080-\uffff]/;
const CONTROL_SPACE = /[\t\n\v\f\r]/g;
const LEET_ASCII = /[@4(36!|1/0$572]/g;

/** ASCII text folds with native string operations and keeps its indexes (runs of spaces are left to the scan). */
function foldAscii(text: string, o: NormOpts): string {
  const lower = text.toLowerCase().replace(CONTROL_SPACE, " ");
  if (!o.leetspeak) return lower;
  const table = asciiTable(o);
  return lower.replace(LEET_ASCII, (ch) => String.fromCharCode(table[ch.charCodeAt(0)] as number));
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

/** Folds case, leetspeak and confusables (non-ASCII text also gets whitespace runs collapsed, with a map). */
export function normalizeForKeywords(text: string, o: NormOpts): Normalized {
  if (!NON_ASCII.test(text)) return { text: foldAscii(text, o) };
  const table = asciiTable(o);
  // Folding never produces more than 2 code units per source code unit (astral results only).
  const out = new Uint16Array(text.length * 2);
  const start = new Int32Array(text.length * 2 + 1);
  const end = new Int32Array(text.length * 2 + 1);
  let k = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 128 && c !== 32 && (c < 9 || c > 13)) {
      out[k] = table[c] as number;
      start[k] = i;
      end[k++] = ++i;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    if (isSpace(cp)) {
      if (k > 0 && out[k - 1] === 32) end[k - 1] = i + width;
      else {
        out[k] = 32;
        start[k] = i;
        end[k++] = i + width;
      }
    } else {
      const s = String.fromCodePoint(foldCodePoint(cp, o));
      for (let u = 0; u < s.length; u++) {
        out[k] = s.charCodeAt(u);
        start[k] = i;
        end[k++] = i + width;
      }
    }
    i += width;
  }
  return { text: new TextDecoder("utf-16le").decode(out.subarray(0, k)), start, end };
}

function normalizeTerm(term: string, o: NormOpts): string {
  return normalizeForKeywords(term.trim(), o).text.replace(/ +/g, " ");
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
    terms: Array<{ entry: Entry }>;
  }> = [];
  private readonly profane: number[] = [];

  constructor(rules: ReadonlyArray<{ key: number; def: KeywordsDef }>) {
    const byOpts = new Map<string, { opts: NormOpts; terms: string[]; meta: Array<{ entry: Entry }> }>();
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
        g.meta.push({ entry: { key, word: def.match === "word" } });
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

  /**
   * Where a keyword could still be in progress at the end of `text` (see `SyncDetector.holdFrom`): the start
   * of the longest trailing partial (or complete: a word-mode match may yet continue into a longer word)
   * term. Profanity is matched by obscenity, which cannot say: everything from `from` is held.
   */
  holdFrom(text: string, from: number): number {
    if (this.profane.length > 0) return from;
    const rest = text.slice(from);
    let at = text.length;
    for (const g of this.groups) {
      const norm = normalizeForKeywords(rest, g.opts);
      const k = g.ac.tailStart(norm.text);
      if (k >= norm.text.length) continue;
      at = Math.min(at, from + (norm.start ? (norm.start[k] as number) : k));
    }
    return at;
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
      g.ac.scanCollapsed(norm.text, (p, s, e) => {
        const t = g.terms[p];
        if (!t) return;
        const start = norm.start ? (norm.start[s] as number) : s;
        const end = norm.end ? (norm.end[e - 1] as number) : e;
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
    holdFrom: (text: string, from: number) => index.holdFrom(text, from),
  };
}
