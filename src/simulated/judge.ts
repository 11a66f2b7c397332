/**
 * Judge behaviour, used by the policy engine's LLM-judge detector: with `[sim:judge]` in the system
 * prompt the model answers with a JSON verdict about the last user message instead of chatting.
 * Markers in that text steer it: `sim-unsafe` → unsafe verdict, `sim-judge-slow` → 5 s before
 * answering (to test timeouts), `sim-judge-garbage` → a non-JSON answer (to test parse failures).
 */
import { pieces, textBlock } from "./blocks.js";
import type { ReplyPlan } from "./plan.js";
import { type LastUserTurn, type MessagesRequest, systemText } from "./request.js";

/** The marker that turns the simulated model into a judge. */
export const JUDGE_MARKER = "[sim:judge]";
/** How long `sim-judge-slow` waits before answering. */
export const JUDGE_SLOW_MS = 5000;

const UNSAFE = JSON.stringify({ verdict: "unsafe", category: "S1", reason: "contains sim-unsafe marker" });
const SAFE = JSON.stringify({ verdict: "safe", category: null, reason: "no marker" });
const GARBAGE = "Well, it is hard to say. I would rather not give a verdict on this one.";

/** Whether the request's system prompt asks for the judge. */
export function isJudgeRequest(req: Pick<MessagesRequest, "system">): boolean {
  return systemText(req.system).includes(JUDGE_MARKER);
}

/** The verdict text the judge gives for a piece of text. */
export function judgeVerdictText(text: string): string {
  const lower = text.toLowerCase();
  if (lower.includes("sim-judge-garbage")) return GARBAGE;
  return lower.includes("sim-unsafe") ? UNSAFE : SAFE;
}

/** The judge's reply plan, streamed in 4-character deltas (directives in the judged text are ignored). */
export function judgePlan(base: Omit<ReplyPlan, "blocks" | "ending">, turn: LastUserTurn): ReplyPlan {
  const slow = turn.allText.toLowerCase().includes("sim-judge-slow");
  return {
    ...base,
    initialDelayMs: slow ? JUDGE_SLOW_MS : 0,
    blocks: [textBlock(pieces(null, judgeVerdictText(turn.allText)))],
    ending: { kind: "stop", stopReason: "end_turn", stopDetails: null },
  };
}
