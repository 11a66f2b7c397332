/**
 * The bounded hold-back window for streamed output. After each delta, a block's text is released up to the
 * earliest point where a match of a redacting or blocking rule could still start (`LaneScanner.gateHold`),
 * and never more than `windowChars` characters are held. So a card number split over three deltas is
 * redacted before any of its digits leaves, while ordinary prose leaves in the push that brought it,
 * unchanged. Matches of rules that only flag do not hold text back: they are reported once final
 * (`settleHold`), at the same offsets a whole-text screening would give.
 *
 * Per delta only sync detectors run, over the held window plus a little context before it. Async detectors
 * (llm_judge, classifier, webhook) run once per block at `end()` on the full text, before the held rest is
 * released: what they catch in text already forwarded cannot be taken back, so it ends the stream.
 */
import { mapLimit, runAsyncDetector } from "./async-run.js";
import type { CompiledPolicy, Finding, Lane } from "./compile.js";
import type { Span } from "./detectors/types.js";
import { type Decision, decideFinding, type SegmentContext, type SegmentKind } from "./evaluate.js";
import { isGating } from "./hold.js";
import { JsonStringMap } from "./json-strings.js";
import type { LoadedPolicy } from "./parse.js";
import { applyRedactions, type Redaction } from "./redact.js";
import type { BlockKind, OutputScreen, RuleMatch, ScreenStep, Stage } from "./types.js";

export type { BlockKind, OutputScreen, ScreenStep } from "./types.js";

/** Characters before the release point that are rescanned, for look-behinds and word boundaries. */
const CONTEXT = 32;
/** How far an open redaction (a streamed PEM key without its END line yet) is followed. */
const MAX_CARRY = 65_536;
const AFTER_RELEASE = "it was found at the end of the block, after part of the text had been forwarded";

interface BlockState {
  index: number;
  lane: Lane;
  stage: Stage;
  segKind: SegmentKind;
  orig: string;
  /** Offset in `orig` up to which text has been released. */
  released: number;
  /** Offset up to which matches of non-gating rules are final and have been reported. */
  settled: number;
  ended: boolean;
  /** Keys of matches already reported (`rule:start`, `rule:error`). */
  reported: Set<string>;
  /** A redaction that reached the end of the text and may keep growing. */
  carry: { rule: number; start: number; label: string } | null;
  json?: JsonStringMap;
}

interface Plan {
  matches: RuleMatch[];
  reds: Array<Redaction & { rule: number; spanStart: number }>;
  cut: number;
  /** The new `settled`. */
  settle: number;
  blocked: boolean;
  /** Whether detectors ran (when not, a carried redaction stays as it was). */
  scanned: boolean;
}

export interface WindowOptions {
  policy: LoadedPolicy;
  compiled: CompiledPolicy;
  windowChars: number;
  signal?: AbortSignal;
}

const LANE_OF: Record<BlockKind, { lane: Lane; stage: Stage; segKind: SegmentKind }> = {
  text: { lane: "output", stage: "output", segKind: "text" },
  thinking: { lane: "thinking", stage: "output", segKind: "thinking" },
  tool_input: { lane: "tool_use", stage: "tool_use", segKind: "json" },
};

const EMPTY = (block: boolean): ScreenStep => ({ release: "", matches: [], block });

/** The output screen of one response: per-block state, the hold-back window, and end-of-block checks. */
class WindowScreen implements OutputScreen {
  private readonly blocks = new Map<number, BlockState>();
  /** Once any block blocks, the stream is over. */
  private stopped = false;

  constructor(private readonly opts: WindowOptions) {}

  push(index: number, kind: BlockKind, delta: string): ScreenStep {
    if (this.stopped) return EMPTY(true);
    const st = this.stateFor(index, kind);
    if (st.ended) return EMPTY(false);
    st.orig += delta;
    st.json?.feed(delta);
    const lane = this.opts.compiled.lanes[st.lane];
    if (!lane.hasSync && lane.async.length === 0) {
      st.released = st.orig.length;
      return { release: delta, matches: [], block: false };
    }
    const p = this.plan(st, false);
    return { release: this.commit(st, p, false), matches: p.matches, block: p.blocked };
  }

  async end(index: number): Promise<ScreenStep> {
    if (this.stopped) return EMPTY(true);
    const st = this.blocks.get(index);
    if (!st || st.ended) return EMPTY(false);
    st.ended = true;
    const heldFrom = st.released;
    const p = this.plan(st, true);
    if (p.blocked || this.opts.compiled.lanes[st.lane].async.length === 0 || st.orig.length === 0) {
      return { release: this.commit(st, p, true), matches: p.matches, block: p.blocked };
    }
    const matches = [...p.matches];
    for (const d of await this.asyncDecisions(st)) {
      const m = d.match;
      // Text before heldFrom is gone: a redaction reaching into it can only end the stream.
      if (m.action === "block" || (d.redaction && d.redaction.start < heldFrom)) {
        if (m.action === "redact")
          Object.assign(m, { action: "block", escalated: { from: "redact", reason: AFTER_RELEASE } });
        p.blocked = true;
      } else if (d.redaction) p.reds.push({ ...d.redaction, rule: -1, spanStart: d.redaction.start });
      matches.push(m);
    }
    if (p.blocked) {
      this.stopped = true;
      return { release: "", matches, block: true };
    }
    return { release: this.commit(st, p, true), matches, block: false };
  }

  original(index: number): string {
    return this.blocks.get(index)?.orig ?? "";
  }

  private stateFor(index: number, kind: BlockKind): BlockState {
    let st = this.blocks.get(index);
    if (!st) {
      st = {
        index,
        ...LANE_OF[kind],
        orig: "",
        released: 0,
        settled: 0,
        ended: false,
        reported: new Set(),
        carry: null,
      };
      if (kind === "tool_input") st.json = new JsonStringMap();
      this.blocks.set(index, st);
    }
    return st;
  }

  private ctxOf(st: BlockState): SegmentContext {
    return {
      policyId: this.opts.policy.id,
      policyVersion: this.opts.policy.version,
      stage: st.stage,
      kind: st.segKind,
      messageIndex: null,
      blockIndex: st.index,
      text: st.orig,
      ...(st.json ? { json: st.json } : {}),
    };
  }

  /** Decides what can be released now (up to the gate hold point, or all when `final`). */
  private plan(st: BlockState, final: boolean): Plan {
    const { compiled, windowChars } = this.opts;
    const len = st.orig.length;
    const lane = compiled.lanes[st.lane];
    const floor = Math.max(0, len - windowChars);
    const safe = final ? len : lane.gateHold.holdFrom(st.orig, Math.max(st.released, floor));
    const settle = final ? len : lane.settleHold.holdFrom(st.orig, Math.max(st.settled, floor));
    const p: Plan = { matches: [], reds: [], cut: safe, settle: st.settled, blocked: false, scanned: false };
    if ((safe <= st.released && settle <= st.settled) || !lane.hasSync) return p;
    p.scanned = true;
    p.settle = settle;
    const from = Math.min(
      contextStart(st.orig, Math.min(st.released, st.settled)),
      st.carry?.start ?? Number.POSITIVE_INFINITY,
    );
    const ctx = this.ctxOf(st);
    let blockAt = Number.POSITIVE_INFINITY;
    for (const f of lane.scanSync(st.orig.slice(from), compiled.byIndex)) {
      const found = shift(f, from);
      const decisions = isGating(f.rule)
        ? this.decide(st, ctx, found, safe)
        : this.decideSettled(st, ctx, found, safe, settle);
      for (const d of decisions) {
        const m = d.match;
        const key = `${f.rule.index}:${m.detectorError ? "error" : m.location.start}`;
        const seen = st.reported.has(key);
        if (!seen) {
          st.reported.add(key);
          p.matches.push(m);
        }
        if (m.action === "block") blockAt = Math.min(blockAt, Math.max(m.location.start, st.released));
        if (d.redaction) {
          const r = { ...d.redaction, start: Math.max(d.redaction.start, st.released) };
          p.reds.push({ ...r, silent: seen, rule: f.rule.index, spanStart: m.location.start });
          p.cut = Math.max(p.cut, r.end);
        }
      }
    }
    if (blockAt !== Number.POSITIVE_INFINITY) {
      p.cut = blockAt;
      p.blocked = true;
    }
    return p;
  }

  /**
   * Decisions for the spans that touch the release region [released, safe). A span already reported is
   * decided again only when it is the growing redaction being carried (then it is removed silently).
   */
  private decide(st: BlockState, ctx: SegmentContext, f: Finding, safe: number): Decision[] {
    if (f.result.error) return decideFinding(ctx, f, { start: st.released, end: safe });
    const spans = (f.result.data?.spans ?? []).filter((s) => {
      if (s.end <= st.released || s.start >= safe) return false;
      if (!st.reported.has(`${f.rule.index}:${s.start}`)) return true;
      return st.carry?.rule === f.rule.index && st.carry.start === s.start;
    });
    if (spans.length === 0) return [];
    return decideFinding(ctx, { rule: f.rule, result: { ...f.result, data: { ...f.result.data, spans } } });
  }

  /**
   * Decisions of a rule that neither redacts nor blocks (its matches leave the text as it is): each span is
   * reported once it has become final, i.e. it ends in (settled, settle].
   */
  private decideSettled(
    st: BlockState,
    ctx: SegmentContext,
    f: Finding,
    safe: number,
    settle: number,
  ): Decision[] {
    if (f.result.error) return decideFinding(ctx, f, { start: st.released, end: Math.max(safe, settle) });
    const spans = (f.result.data?.spans ?? []).filter(
      (s) => s.end > st.settled && s.end <= settle && !st.reported.has(`${f.rule.index}:${s.start}`),
    );
    if (spans.length === 0) return [];
    return decideFinding(ctx, { rule: f.rule, result: { ...f.result, data: { ...f.result.data, spans } } });
  }

  /** Applies a plan: the released text, the new release point and the carried redaction. */
  private commit(st: BlockState, p: Plan, final: boolean): string {
    const from = st.released;
    const cut = Math.max(from, p.cut);
    const release = applyRedactions(st.orig.slice(from, cut), p.reds, {
      json: st.segKind === "json",
      offset: from,
    });
    st.released = cut;
    st.settled = Math.max(st.settled, p.settle);
    if (p.blocked) this.stopped = true;
    if (!p.scanned && !final) return release;
    const open = final || p.blocked ? undefined : p.reds.find((r) => r.end >= st.orig.length);
    st.carry =
      open && st.orig.length - open.spanStart <= MAX_CARRY
        ? { rule: open.rule, start: open.spanStart, label: open.label }
        : null;
    return release;
  }

  /** Async checks at block end, on the full text. */
  private async asyncDecisions(st: BlockState): Promise<Decision[]> {
    const rules = this.opts.compiled.lanes[st.lane].async;
    const ctx = this.ctxOf(st);
    const stage = st.stage;
    const results = await mapLimit(
      rules.map((rule) => async () => ({
        rule,
        result: await runAsyncDetector(rule.detector, st.orig, { ruleId: rule.id, stage }, this.opts.signal),
      })),
      8,
    );
    return results
      .filter((f) => f.result.verdict === "match" || f.result.error)
      .flatMap((f) => decideFinding(ctx, f));
  }
}

/** A new output screen (one per response). */
export function createWindowScreen(opts: WindowOptions): OutputScreen {
  return new WindowScreen(opts);
}

/** Where rescanning starts: CONTEXT chars back, moved to a word start so no word is scanned cut in half. */
function contextStart(text: string, released: number): number {
  let from = Math.max(0, released - CONTEXT);
  const limit = Math.max(0, from - CONTEXT);
  while (from > limit && !/\s/.test(text[from - 1] ?? " ")) from--;
  return from;
}

function shift(f: Finding, by: number): Finding {
  if (by === 0 || !f.result.data) return f;
  const spans: Span[] = f.result.data.spans.map((s) => ({ ...s, start: s.start + by, end: s.end + by }));
  return { rule: f.rule, result: { ...f.result, data: { ...f.result.data, spans } } };
}
