/**
 * Crash recovery: turns left in flight by a dead instance are closed with cause `proxy_crash`, their reply
 * rebuilt from the journal (every byte the client received was journaled first), so it is restorable.
 */
import { eq } from "drizzle-orm";
import { accumulateMessageBody, MessageAccumulator } from "../proxy/accumulate.js";
import type { ProxyDeps } from "../proxy/deps.js";
import { finishTurn } from "../proxy/finish-turn.js";
import { parseSseText } from "../proxy/sse.js";
import { allInstances, isDead } from "../store/instances.js";
import { readJournal } from "../store/journal-writer.js";
import { messages, sessions, tenants } from "../store/schema/index.js";
import type { TurnRow } from "../store/turns.js";
import { inFlightTurns } from "../store/turns.js";
import type { ChainNode } from "./chain.js";

/** The reply as far as it was forwarded, from a turn's journal (SSE frames, or a JSON body). */
export function rebuildFromJournal(journalText: string, stream: boolean) {
  if (!stream) {
    try {
      return accumulateMessageBody(JSON.parse(journalText) as Record<string, unknown>);
    } catch {
      return null;
    }
  }
  const acc = new MessageAccumulator();
  for (const e of parseSseText(journalText)) {
    try {
      acc.apply(e.event ?? "message", JSON.parse(e.data) as Record<string, unknown>);
    } catch {
      // a frame that is not JSON carries nothing to rebuild
    }
  }
  return acc.snapshot();
}

async function recoverTurn(deps: ProxyDeps, turn: TurnRow): Promise<void> {
  const db = deps.db;
  const [session] = await db.select().from(sessions).where(eq(sessions.pk, turn.sessionPk));
  const [leaf] = await db.select().from(messages).where(eq(messages.id, turn.inputLeafId));
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, turn.tenantId));
  if (!session || !leaf || !tenant) return;
  const inputLeaf: ChainNode = {
    id: leaf.id,
    parentId: leaf.parentId,
    role: leaf.role,
    content: leaf.content,
    contentHash: leaf.contentHash,
    depth: leaf.depth,
  };
  const message = rebuildFromJournal(await readJournal(db, turn.id), turn.stream);
  await finishTurn(
    deps,
    {
      id: turn.id,
      requestId: turn.requestId,
      tenant: { id: tenant.id, name: tenant.name, settings: tenant.settings },
      session,
      inputLeaf,
      chain: [inputLeaf],
      model: turn.model ?? "",
      inputBlock: null,
      explainUrl: deps.explainUrl(tenant.id, session.externalId, session.endUser),
    },
    {
      turnEnding: "proxy_crash",
      cause: "proxy_crash",
      message: message && message.content.length > 0 ? message : null,
      outputMatches: [],
      error: { type: "proxy_crash", status: null, message: "the Candor process serving this turn stopped" },
      upstreamRequestId: turn.upstreamRequestId,
      midStream: (message?.textChars ?? 0) > 0,
    },
  );
}

/** Closes every in-flight turn whose instance is dead. Returns how many were recovered. */
export async function recoverCrashedTurns(deps: ProxyDeps): Promise<number> {
  const now = Date.now();
  const rows = await allInstances(deps.db);
  const dead = new Set(rows.filter((i) => isDead(i, now)).map((i) => i.id));
  const known = new Set(rows.map((i) => i.id));
  const turns = (await inFlightTurns(deps.db, deps.instanceId)).filter(
    (t) => dead.has(t.instanceId) || !known.has(t.instanceId),
  );
  for (const t of turns) await recoverTurn(deps, t);
  return turns.length;
}
