/**
 * Replies still streaming (on this instance or another) are in the journal before the client sees them, so a
 * restore during a stream can include them: each in-flight turn becomes a provisional partial message.
 */

import type { Db } from "../store/db.js";
import { readJournal } from "../store/journal-writer.js";
import type { MessageRow } from "../store/sessions.js";
import type { TurnRow } from "../store/turns.js";
import { makeNode } from "./chain.js";
import { rebuildFromJournal } from "./recover.js";

export async function inFlightReplies(
  db: Db,
  sessionPk: string,
  rows: MessageRow[],
  turns: TurnRow[],
): Promise<MessageRow[]> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: MessageRow[] = [];
  for (const t of turns.filter((x) => x.status === "in_flight")) {
    const leaf = byId.get(t.inputLeafId);
    const message = leaf ? rebuildFromJournal(await readJournal(db, t.id), t.stream) : null;
    if (!leaf || !message || message.content.length === 0) continue;
    const node = makeNode(sessionPk, { ...leaf, role: leaf.role }, "assistant", message.content);
    out.push({
      ...leaf,
      id: node.id,
      parentId: leaf.id,
      role: "assistant",
      content: message.content,
      contentHash: node.contentHash,
      depth: leaf.depth + 1,
      origin: "output",
      status: "partial",
      turnId: t.id,
      meta: { incompleteBlocks: message.incompleteBlocks, stopReason: message.stopReason },
      createdAt: new Date(),
      deletedAt: null,
      restorableUntil: null,
      erasedAt: null,
    });
  }
  return out;
}
