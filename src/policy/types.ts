/**
 * Public types of the policy engine. `src/policy/` is pure: it knows nothing of HTTP or storage, and every
 * network-using detector receives its client through `EngineDeps`.
 */

/** Where content sits in a conversation. `tool_use` covers tool calls both in history and while streamed. */
export type Stage = "input" | "output" | "system" | "tool_use" | "tool_result";

/** Ordered by severity: a screening's action is the most severe action over its matches. */
export type Action = "allow" | "flag" | "warn" | "redact" | "block";

export const STAGES: readonly Stage[] = ["input", "output", "system", "tool_use", "tool_result"];
export const ACTIONS: readonly Action[] = ["allow", "flag", "warn", "redact", "block"];

/** Severity rank of an action (allow = 0 … block = 4). */
export function actionRank(action: Action): number {
  return ACTIONS.indexOf(action);
}

/** The more severe of two actions. */
export function maxAction(a: Action, b: Action): Action {
  return actionRank(a) >= actionRank(b) ? a : b;
}

/** What a failed detector means for its rule: `closed` acts as if it matched, `open` lets content pass. */
export type FailMode = "open" | "closed";

export interface DetectorErrorInfo {
  kind: "threw" | "timeout";
  message: string;
}

export interface RuleMatch {
  policyId: string;
  policyVersion: string;
  ruleId: string;
  /** Detector type (`regex`, `pii`, `llm_judge`, …). */
  detector: string;
  /** The action taken for this match (after on_error handling and escalation, e.g. redact → block on thinking). */
  action: Action;
  hazard: string;
  category?: string;
  stage: Stage;
  /**
   * Where in the request: index into messages (null for system and for streamed output), content block index
   * (null for string content), char offsets in that text. `path` is the exact JSON path of the examined string
   * inside the request (for tool_use inputs: the `input` object, offsets are into `JSON.stringify(input)`).
   */
  location: {
    messageIndex: number | null;
    blockIndex: number | null;
    start: number;
    end: number;
    path?: Array<string | number>;
  };
  label: string;
  /** Rendered, user-facing; never contains the matched text itself. */
  explanation: string;
  detectorError?: DetectorErrorInfo & { failMode: FailMode };
  /** Set when the rule's own action was raised (e.g. a redaction that cannot be applied safely became a block). */
  escalated?: { from: Action; reason: string };
}

/** Minimal structural view of an Anthropic Messages request; unknown fields are carried through untouched. */
export type MessagesRequestLike = {
  system?: unknown;
  messages: Array<{ role: string; content: unknown }>;
  [k: string]: unknown;
};

export interface Screening {
  /** Most severe action over all matches ("allow" when none). */
  action: Action;
  matches: RuleMatch[];
  /** The request to forward: the SAME object when nothing was redacted, otherwise a redacted deep copy. */
  request: MessagesRequestLike;
  changed: boolean;
  /** Content that could not be examined as text (images, PDFs, redacted thinking, unknown blocks), counted. */
  skipped: { images: number; documents: number; redactedThinking: number; other: number };
}

/** Kinds of streamed content blocks the output screen examines. */
export type BlockKind = "text" | "tool_input" | "thinking";

export interface ScreenStep {
  /** Text now safe to forward (redaction markers in place of matches). */
  release: string;
  /** Matches decided in this step (each reported once). */
  matches: RuleMatch[];
  /** Stop the stream now: nothing of this block after `release` may be forwarded. */
  block: boolean;
}

export interface OutputScreen {
  /**
   * Feed one delta of content block `index`. Returns the text that is now safe to forward (possibly redacted:
   * the redaction marker replaces the match). Holds back at most `windowChars` characters so that a match split
   * across deltas is caught before ANY of it is forwarded. `block: true` means stop the stream now. Synchronous:
   * only sync detectors (keywords/regex/pii/secrets) run per delta.
   */
  push(index: number, kind: BlockKind, delta: string): ScreenStep;
  /**
   * End of a content block: the final sync check, then the async detectors (llm_judge/classifier/webhook) of
   * the block's stage on the full block text, then the held remainder is released (or withheld on block). Text
   * released earlier cannot be taken back: an async block/redact is reported with `block: true` and the proxy
   * ends the stream.
   */
  end(index: number): Promise<ScreenStep>;
  /** Original (unredacted) text seen so far per block, for the moderator-only snapshot. */
  original(index: number): string;
}
