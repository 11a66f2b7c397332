/** Policy matches become intervention drafts: one per match, pointing at the message and offsets it concerns. */
import type { RuleMatch } from "../policy/types.js";
import type { ChainNode } from "../session/chain.js";
import type { Cause } from "../transparency/causes.js";
import type { InterventionDraft } from "../transparency/recorder.js";

function causeForMatch(m: RuleMatch): Cause | null {
  if (m.detectorError) return "policy_check_failed";
  switch (m.action) {
    case "block":
      return "policy_block";
    case "redact":
      return "policy_redact";
    case "warn":
      return "policy_warn";
    case "flag":
      return "policy_flag";
    default:
      return null;
  }
}

/**
 * @param chain the request's chain (chain[0] is the system root, chain[i+1] is messages[i]); for output matches
 *   pass the output node as the only element and messageIndex is ignored.
 */
export function draftsForMatches(
  matches: RuleMatch[],
  chain: ChainNode[],
  turnId: string,
  output?: { messageId: string | null; contentRef: string | null },
): InterventionDraft[] {
  const drafts: InterventionDraft[] = [];
  for (const m of matches) {
    const cause = causeForMatch(m);
    if (!cause) continue;
    const node = output
      ? null
      : m.location.messageIndex === null
        ? chain[0]
        : chain[m.location.messageIndex + 1];
    drafts.push({
      cause,
      turnId,
      contentRef: output ? output.contentRef : (node?.contentHash ?? null),
      content: {
        messageId: output ? output.messageId : (node?.id ?? null),
        role: output ? "assistant" : (node?.role ?? null),
        blockIndex: m.location.blockIndex,
        start: m.location.start,
        end: m.location.end,
      },
      rule: {
        policyId: m.policyId,
        policyVersion: m.policyVersion,
        ruleId: m.ruleId,
        hazard: m.hazard,
        ...(m.category ? { category: m.category } : {}),
        label: m.label,
        action: m.action,
      },
      ruleExplanation: m.explanation,
      facts: {
        stage: m.stage,
        detector: m.detector,
        ...(m.detectorError
          ? { check_failed: m.detectorError.kind, fail_mode: m.detectorError.failMode }
          : {}),
      },
    });
  }
  return drafts;
}
