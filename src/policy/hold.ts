/**
 * Where a streamed block's text may be released: the hold point is the earliest index at which a match of
 * some rule could still start (or still change) once more text arrives. Text before it can be forwarded now,
 * after screening, without ever letting part of a split match out. Each detector knows its own shapes
 * (`SyncDetector.holdFrom`); a detector that cannot tell holds everything, so the window's bound applies.
 */
import type { CompiledRule } from "./compile.js";
import type { KeywordIndex } from "./detectors/keywords.js";
import type { RegexIndex } from "./detectors/regex.js";
import type { SyncDetector } from "./detectors/types.js";

/** Rules whose matches change or stop the released text; only they need text held back before release. */
export function isGating(rule: CompiledRule): boolean {
  return rule.action === "redact" || rule.action === "block";
}

/** The hold point over a set of sync rules (their merged regex and keyword indexes, and other detectors). */
export class HoldIndex {
  constructor(
    private readonly regex: RegexIndex,
    private readonly keywords: KeywordIndex,
    private readonly others: readonly SyncDetector[],
    /** Hold everything (e.g. a gating async rule, which sees only whole blocks). */
    private readonly all: boolean,
  ) {}

  /**
   * The smallest `i >= from` where a match could still start in `text`, or `text.length`. A detector that
   * throws holds everything: being wrong here would leak.
   */
  holdFrom(text: string, from: number): number {
    if (this.all || from >= text.length) return Math.min(from, text.length);
    try {
      let at = text.length;
      if (!this.regex.empty) at = Math.min(at, this.regex.holdFrom(text, from));
      if (at > from && !this.keywords.empty) at = Math.min(at, this.keywords.holdFrom(text, from));
      for (const d of this.others) {
        if (at <= from) break;
        at = d.holdFrom ? Math.min(at, d.holdFrom(text, from)) : from;
      }
      return Math.max(from, at);
    } catch {
      return from;
    }
  }
}
