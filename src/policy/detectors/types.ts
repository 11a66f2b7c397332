/**
 * The detector contract (after Portkey's plugins): a detector returns a verdict, and a detector that crashed
 * or timed out says so in `error` instead of pretending it found nothing. The rule's `on_error` decides.
 */
import type { Stage } from "../types.js";

export interface Span {
  start: number;
  end: number;
  label?: string;
}

export interface DetectorResult {
  verdict: "match" | "no_match";
  error?: { kind: "threw" | "timeout"; message: string };
  data?: { spans: Span[]; category?: string; score?: number };
}

/** Cheap, synchronous detectors: they run on every streamed delta. */
export interface SyncDetector {
  readonly mode: "sync";
  readonly type: string;
  scan(text: string): DetectorResult;
  /**
   * For streaming: the smallest index `i >= from` such that a match could still start at `i` once more text
   * arrives (a partial match at the end, or a match at the end that could still grow or vanish), or
   * `text.length` when none can. Must never be later than the truth: text before it is released. Absent: the
   * detector cannot tell, and the whole window is held.
   */
  holdFrom?(text: string, from: number): number;
}

export interface AsyncContext {
  ruleId: string;
  stage: Stage;
  /** Aborted on timeout or when the caller gives up; a detector should pass it to its network call. */
  signal: AbortSignal;
}

/** Detectors that call out (judge, classifier, webhook): they run on whole texts, with a timeout. */
export interface AsyncDetector {
  readonly mode: "async";
  readonly type: string;
  readonly timeoutMs: number;
  check(text: string, ctx: AsyncContext): Promise<DetectorResult>;
}

export type Detector = SyncDetector | AsyncDetector;

export const NO_MATCH: DetectorResult = { verdict: "no_match" };

/** A result from spans: a match when there is at least one. */
export function fromSpans(spans: Span[], category?: string): DetectorResult {
  if (spans.length === 0) return NO_MATCH;
  return { verdict: "match", data: category === undefined ? { spans } : { spans, category } };
}

/** Upper bound on spans one detector reports for one text, so a pathological input stays cheap. */
export const MAX_SPANS = 1000;
