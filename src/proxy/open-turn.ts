/**
 * Before anything is forwarded: resolve the session, screen the input, and commit — in one transaction — the new
 * input messages, the turn row and the records of what the client dropped and what the input policy found.
 * "A user's input is durable before it is forwarded upstream" is this function.
 */

import type { PolicyEngine } from "../policy/engine.js";
import type { RuleMatch } from "../policy/types.js";
import { type ChainNode, chainOf } from "../session/chain.js";
import { resolveSession, sessionKeyFor } from "../session/resolve.js";
import { newId } from "../store/ids.js";
import { insertMessages, type SessionRow } from "../store/sessions.js";
import type { Tenant } from "../store/tenants.js";
import { openPlainTurn, openTurnStatement } from "../store/turn-statements.js";
import { type NewTurn, openTurn } from "../store/turns.js";
import type { InterventionDraft, RecordedIntervention } from "../transparency/recorder.js";
import type { ProxyDeps } from "./deps.js";
import type { FinishedTurn } from "./finish-turn.js";
import { draftsForMatches } from "./match-drafts.js";
import type { BlockedNotice } from "./notices.js";
import type { MessagesCall } from "./pipeline.js";

export interface OpenedTurn {
  id: string;
  requestId: string;
  tenant: Tenant;
  session: SessionRow;
  inputLeaf: ChainNode;
  /** The request's chain: chain[0] is the system root, chain[i + 1] is messages[i]. */
  chain: ChainNode[];
  model: string;
  stream: boolean;
  /** The body to send upstream: the client's bytes, or a redacted copy. */
  forwardBody: string;
  screen: PolicyEngine | null;
  /** Input matches whose action is block (the request is not forwarded). */
  inputBlock: RuleMatch[] | null;
  /** The end user's link to the session page (signed view token). */
  explainUrl: string;
  /** Interventions recorded when the turn opened (dropped branches, input flags/redactions). */
  opened: RecordedIntervention[];
  headers(finished: FinishedTurn | null): Record<string, string>;
  notice(finished: FinishedTurn): BlockedNotice;
}

export async function openTurnDurably(deps: ProxyDeps, call: MessagesCall): Promise<OpenedTurn> {
  const { body } = call.request;
  const engine = deps.policyFor(call.tenant);
  const screening = engine ? await engine.screenRequest(body, { signal: call.signal }) : null;
  const matches = screening?.matches ?? [];
  const blocking = matches.filter((m) => m.action === "block");
  const turnId = newId("turn");
  const { messages: _m, system: _s, ...params } = body;
  const turnRow = (sessionPk: string, inputLeaf: ChainNode) => ({
    id: turnId,
    tenantId: call.tenant.id,
    sessionPk,
    inputLeafId: inputLeaf.id,
    status: "in_flight" as const,
    model: body.model,
    stream: call.request.stream,
    requestId: call.requestId,
    instanceId: deps.instanceId,
    requestKey: call.hints.idempotencyKey,
    params,
  });

  // The common turn (nothing to record when it opens) in one statement; anything else in one transaction. Input
  // findings are recorded with the input they concern, so then the statement only upserts the session.
  const key = sessionKeyFor(call.tenant.id, body, call.hints);
  const sessionPk = deps.sessionPk(key.tenantId, key.externalId);
  const plainChain = chainOf(sessionPk, body.system, body.messages);
  const plain = await openPlainTurn(deps.db, {
    session: key,
    sessionPk,
    chain: plainChain,
    turn: turnRow(sessionPk, plainChain[plainChain.length - 1] as ChainNode),
    open: blocking.length === matches.length,
  });
  if (plain.opened) deps.metrics.turnOpens.inc({ path: "plain" });
  const { session, chain, opened } = plain.opened
    ? { session: plain.session, chain: plainChain, opened: [] }
    : await openWithRecords(
        deps,
        call,
        plain.session,
        { pk: sessionPk, chain: plainChain },
        turnId,
        matches,
        turnRow,
      );
  const inputLeaf = chain[chain.length - 1] as ChainNode;

  const forwardBody = screening?.changed ? JSON.stringify(screening.request) : call.request.raw;
  const explain = deps.explainUrl(call.tenant.id, session.externalId, session.endUser);
  return {
    id: turnId,
    requestId: call.requestId,
    tenant: call.tenant,
    session,
    inputLeaf,
    chain,
    model: body.model,
    stream: call.request.stream,
    forwardBody,
    screen: engine,
    inputBlock: blocking.length > 0 ? blocking : null,
    opened,
    explainUrl: explain,
    headers: (finished) => ({
      "x-candor-session": session.externalId,
      "x-candor-turn": turnId,
      "x-candor-interventions": String(opened.length + (finished?.interventions.length ?? 0)),
      "x-candor-explain": explain,
      "x-candor-request-id": call.requestId,
    }),
    notice: (finished) => noticeFor(finished, explain),
  };
}

function noticeFor(finished: FinishedTurn, explainUrl: string): BlockedNotice {
  const block = finished.interventions.find(
    (i) => i.cause === "policy_block" || i.cause === "policy_check_failed",
  );
  const explanation = block?.explanation ?? "This reply was withheld by the service's content policy.";
  return {
    text: `[Withheld by Candor] ${explanation} Details: ${explainUrl}`,
    category: block?.category ?? "policy",
    explanation,
    intervention: block
      ? { id: block.id, cause: block.cause, actor: block.actor, explanation, explain_url: explainUrl }
      : null,
  };
}

/** The general path: resolve the chain, then the input and the turn with the records of what opening found. */
async function openWithRecords(
  deps: ProxyDeps,
  call: MessagesCall,
  session: SessionRow,
  hashed: { pk: string; chain: ChainNode[] },
  turnId: string,
  matches: RuleMatch[],
  turnRow: (sessionPk: string, inputLeaf: ChainNode) => NewTurn,
): Promise<{ session: SessionRow; chain: ChainNode[]; opened: RecordedIntervention[] }> {
  // The chain is hashed under the session's own pk: the derived one, already hashed for the plain statement, or
  // the random pk of a session created before pks were derived.
  const { system, messages } = call.request.body;
  const chain = session.pk === hashed.pk ? hashed.chain : chainOf(session.pk, system, messages);
  const resolved = await resolveSession(deps.db, session, chain);
  const { inputLeaf } = resolved;
  const drafts: InterventionDraft[] = [
    ...resolved.droppedBranches.map(
      (d): InterventionDraft => ({
        cause: "client_deletion",
        turnId,
        content: { messageId: d.headId, role: null },
        facts: { branch_point: d.branchPointId },
      }),
    ),
    // Blocks are recorded with the turn's ending; the rest now, with the input they concern.
    ...draftsForMatches(
      matches.filter((m) => m.action !== "block"),
      resolved.chain,
      turnId,
    ),
  ];
  const row = turnRow(session.pk, inputLeaf);
  deps.metrics.turnOpens.inc({ path: drafts.length === 0 ? "resolved" : "recorded" });
  const opened =
    drafts.length === 0
      ? await openTurnStatement(deps.db, session.pk, resolved.newNodes, row).then(() => [])
      : await deps.db.transaction(async (tx) => {
          await insertMessages(tx, session.pk, resolved.newNodes, "input");
          await openTurn(tx, row);
          return deps.interventions.record(tx, { tenantId: call.tenant.id, session, drafts });
        });
  return { session, chain: resolved.chain, opened };
}
