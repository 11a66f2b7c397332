/**
 * Which session and branch a request belongs to, without asking the app to change anything.
 * The request's chain is hashed; its longest stored prefix is the branch point; what follows is new input.
 * Children of the branch point that the client had built upon but no longer sends are a detected deletion.
 */
import type { Db } from "../store/db.js";
import { chainLookup, type SessionKey, type SessionRow } from "../store/sessions.js";
import { type ChainNode, derivedSessionId } from "./chain.js";

export interface SessionHints {
  /** x-candor-session header. */
  sessionId: string | null;
  /** metadata.user_id or x-candor-user. */
  endUser: string | null;
}

export interface ResolvedSession {
  session: SessionRow;
  chain: ChainNode[];
  /** Messages of this request not stored before (to be stored before forwarding). */
  newNodes: ChainNode[];
  /** The last message of the request: the reply continues it. */
  inputLeaf: ChainNode;
  /** Branch heads the client dropped or edited away (each restorable). */
  droppedBranches: Array<{ headId: string; branchPointId: string }>;
}

type ChainRequest = { system?: unknown; messages: ReadonlyArray<{ role: string; content: unknown }> };

/** Which session a request belongs to: the app's x-candor-session, or one derived from the conversation's start. */
export function sessionKeyFor(tenantId: string, request: ChainRequest, hints: SessionHints): SessionKey {
  const first = request.messages[0]?.content ?? null;
  const externalId = hints.sessionId ?? derivedSessionId(tenantId, hints.endUser, first);
  return { tenantId, externalId, endUser: hints.endUser, derived: hints.sessionId === null };
}

/**
 * The request's chain in its (already upserted) session: what is stored, what is new, what was dropped. `chain`
 * is the request hashed under `session.pk` (`chainOf`).
 */
export async function resolveSession(
  db: Db,
  session: SessionRow,
  chain: ChainNode[],
): Promise<ResolvedSession> {
  const { stored, children } = await chainLookup(
    db,
    chain.map((n) => n.id),
  );
  // Ids are chained, so the stored part is a prefix: find where it ends.
  let k = -1;
  while (k + 1 < chain.length && stored.has((chain[k + 1] as ChainNode).id)) k++;
  const newNodes = chain.slice(k + 1);
  const inputLeaf = chain[chain.length - 1] as ChainNode;
  const droppedBranches = k >= 0 ? findDroppedBranches(chain, k, children) : [];
  return { session, chain, newNodes, inputLeaf, droppedBranches };
}

/**
 * The branch point is chain[k] (the last stored node of the request). A child of it that is not on the request's
 * path, and that the client had itself sent (input) or built upon (has children), was removed by the client.
 * A reply the client never built on (a regeneration's older sibling, an interrupted partial) is not a deletion.
 */
function findDroppedBranches(
  chain: ChainNode[],
  k: number,
  children: Map<string, Array<{ id: string; origin: string; hasChildren: boolean }>>,
): Array<{ headId: string; branchPointId: string }> {
  const point = chain[k] as ChainNode;
  const onPath = chain[k + 1]?.id;
  return (children.get(point.id) ?? [])
    .filter((c) => c.id !== onPath && (c.origin === "input" || c.hasChildren))
    .map((c) => ({ headId: c.id, branchPointId: point.id }));
}
