/**
 * Multi-pattern string search (Aho–Corasick), so scanning for N keywords or N regex prefilter literals costs
 * one pass over the text instead of N. ASCII transitions are a dense table (the hot path for chat text);
 * other characters fall back to per-state maps.
 */

const ASCII = 128;

/** ASCII case fold, plus the two non-ASCII characters that Unicode case-insensitive regexes fold to ASCII. */
export function foldChar(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 0x212a) return 107; // KELVIN SIGN ~ k
  if (c === 0x017f) return 115; // LATIN SMALL LETTER LONG S ~ s
  return c;
}

export class AhoCorasick {
  readonly size: number;
  private readonly fold: boolean;
  private readonly delta: Int32Array;
  private readonly wide: Array<Map<number, number> | undefined>;
  private readonly fail: Int32Array;
  private readonly out: Array<number[] | undefined>;
  /** 1 where a state has outputs: a typed-array test keeps the hot loop off the (holey) `out` array. */
  private hasOut: Uint8Array = new Uint8Array(0);
  private readonly lens: Int32Array;
  /** Trie depth of each state: the length of the longest text suffix that is a pattern prefix. */
  private readonly depth: Int32Array;
  /** Ring buffer size (a power of two) covering the longest pattern, for `scanCollapsed`. */
  private readonly ring: number;

  /** `patterns[i]` is reported as pattern `i`; empty patterns are ignored. */
  constructor(patterns: readonly string[], opts: { foldCase: boolean }) {
    this.fold = opts.foldCase;
    this.size = patterns.length;
    this.lens = Int32Array.from(patterns, (p) => p.length);
    this.ring = 2 ** Math.ceil(Math.log2(Math.max(2, ...this.lens) + 1));
    const gotos: Array<Map<number, number>> = [new Map()];
    const depths: number[] = [0];
    const out: Array<number[] | undefined> = [undefined];
    patterns.forEach((p, idx) => {
      if (p.length === 0) return;
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = this.fold ? foldChar(p.charCodeAt(i)) : p.charCodeAt(i);
        const g = gotos[s] as Map<number, number>;
        let next = g.get(c);
        if (next === undefined) {
          next = gotos.length;
          g.set(c, next);
          gotos.push(new Map());
          depths.push(i + 1);
          out.push(undefined);
        }
        s = next;
      }
      out[s] = [...(out[s] ?? []), idx];
    });
    const n = gotos.length;
    this.depth = Int32Array.from(depths);
    this.fail = new Int32Array(n);
    this.delta = new Int32Array(n * ASCII);
    this.wide = new Array(n);
    this.out = out;
    this.build(gotos);
    this.hasOut = Uint8Array.from(this.out, (o) => (o && o.length > 0 ? 1 : 0));
  }

  /** Breadth-first: resolve failure links, merge outputs along them, and fill the dense ASCII table. */
  private build(gotos: Array<Map<number, number>>): void {
    const queue: number[] = [0];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      const g = gotos[s] as Map<number, number>;
      const f = this.fail[s] as number;
      for (let c = 0; c < ASCII; c++) {
        const next = g.get(c);
        if (next !== undefined) {
          this.fail[next] = s === 0 ? 0 : (this.delta[f * ASCII + c] as number);
          queue.push(next);
          this.delta[s * ASCII + c] = next;
        } else {
          this.delta[s * ASCII + c] = s === 0 ? 0 : (this.delta[f * ASCII + c] as number);
        }
      }
      for (const [c, next] of g) {
        if (c < ASCII) continue;
        this.fail[next] = s === 0 ? 0 : this.stepWide(f, c);
        queue.push(next);
        const w = this.wide[s] ?? new Map<number, number>();
        w.set(c, next);
        this.wide[s] = w;
      }
      if (s !== 0) {
        const inherited = this.out[this.fail[s] as number];
        if (inherited) this.out[s] = [...(this.out[s] ?? []), ...inherited];
      }
    }
  }

  private stepWide(state: number, c: number): number {
    let s = state;
    for (;;) {
      const next = this.wide[s]?.get(c);
      if (next !== undefined) return next;
      if (s === 0) return 0;
      s = this.fail[s] as number;
    }
  }

  /** Calls `onHit(pattern, endExclusive)` for every occurrence of every pattern. */
  scan(text: string, onHit: (pattern: number, end: number) => void): void {
    const { delta, out, fold, hasOut } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= ASCII && fold) c = foldChar(c);
      if (c < ASCII) {
        if (fold && c >= 65 && c <= 90) c += 32;
        s = delta[(s << 7) | c] as number;
      } else {
        s = this.stepWide(s, c);
      }
      if (hasOut[s] === 1) for (const p of out[s] as number[]) onHit(p, i + 1);
    }
  }

  /**
   * Like `scan`, but a run of spaces in the text counts as one space (so "project    bluebird" matches the
   * pattern "project bluebird"), and hits report their start too, in text offsets.
   */
  scanCollapsed(text: string, onHit: (pattern: number, start: number, end: number) => void): void {
    this.walkCollapsed(text, onHit);
  }

  /**
   * Where the longest suffix of `text` that is a prefix of some pattern starts (spaces collapsed as in
   * `scanCollapsed`), or `text.length` when there is none: no occurrence can start before it once more text
   * is appended, so a stream can release what precedes it.
   */
  tailStart(text: string): number {
    const { state, pos, fed } = this.walkCollapsed(text, null);
    const d = this.depth[state] as number;
    return d === 0 ? text.length : (pos[(fed - d) & (this.ring - 1)] as number);
  }

  /** The space-collapsing walk shared by scanCollapsed (hits) and tailStart (the final state). */
  private walkCollapsed(
    text: string,
    onHit: ((pattern: number, start: number, end: number) => void) | null,
  ): { state: number; pos: Int32Array; fed: number } {
    const { delta, out, fold, hasOut, lens } = this;
    const mask = this.ring - 1;
    const pos = new Int32Array(this.ring);
    let fed = 0;
    let s = 0;
    let prevSpace = false;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c === 32) {
        if (prevSpace) continue;
        prevSpace = true;
      } else prevSpace = false;
      pos[fed++ & mask] = i;
      if (c >= ASCII && fold) c = foldChar(c);
      if (c < ASCII) {
        if (fold && c >= 65 && c <= 90) c += 32;
        s = delta[(s << 7) | c] as number;
      } else s = this.stepWide(s, c);
      if (onHit && hasOut[s] === 1) {
        for (const p of out[s] as number[])
          onHit(p, pos[(fed - (lens[p] as number)) & mask] as number, i + 1);
      }
    }
    return { state: s, pos, fed };
  }

  /** Which patterns occur at least once. */
  present(text: string): Uint8Array {
    const seen = new Uint8Array(this.size);
    this.scan(text, (p) => {
      seen[p] = 1;
    });
    return seen;
  }
}
