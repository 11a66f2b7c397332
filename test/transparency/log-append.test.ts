/**
 * The Merkle log in the database (either backend): record writes racing on the pool get dense, ordered leaf
 * indexes, a rolled-back turn leaves no hole, and every stored record gets a receipt that verifies.
 */

import { randomBytes } from "node:crypto";
import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, runStatement, statement } from "../../src/store/db.js";
import { interventions } from "../../src/store/schema/index.js";
import { ensureSession, type SessionRow } from "../../src/store/sessions.js";
import { ensureTenant } from "../../src/store/tenants.js";
import { generateSigningKey } from "../../src/transparency/checkpoint.js";
import { leafHash, rootFromLeafHashes } from "../../src/transparency/merkle.js";
import { appendToFrontier, emptyFrontier } from "../../src/transparency/merkle-frontier.js";
import { createReceiptService } from "../../src/transparency/receipt-service.js";
import { verifyReceipt } from "../../src/transparency/receipts.js";
import { canonicalRecordBytes } from "../../src/transparency/record.js";
import { createInterventionRecorder, type InterventionDraft } from "../../src/transparency/recorder.js";
import { createTestStore, type TestStore } from "../helpers/store.js";
import { CARD_RULE } from "./factory.js";

const draft = (turnId: string): InterventionDraft => ({
  cause: "policy_redact",
  turnId,
  contentRef: `content-of-${turnId}`,
  content: { messageId: `msg_${turnId}`, role: "assistant", blockIndex: 0, start: 0, end: 4 },
  rule: CARD_RULE,
});

class Rollback extends Error {}

describe("the intervention log in the database", () => {
  let db: TestStore;
  let tenantId: string;
  let session: SessionRow;
  const recorder = createInterventionRecorder({ appealDays: 30 });

  beforeAll(async () => {
    db = await createTestStore();
    tenantId = (await ensureTenant(db.store.db, "log-append")).id;
    session = await ensureSession(db.store.db, { tenantId, externalId: "s", endUser: null, derived: false });
  });
  afterAll(() => db.close());

  it("gives racing record writes dense, ordered leaf indexes; rolled-back writes leave no hole", async () => {
    // 24 turns at once, with 1 to 3 records each; every fourth turn fails after recording and rolls back.
    const turns = Array.from({ length: 24 }, (_, t) => t);
    const outcomes = await Promise.allSettled(
      turns.map((t) =>
        db.store.db.transaction(async (tx) => {
          const drafts = Array.from({ length: (t % 3) + 1 }, (_, k) => draft(`turn_${t}_${k}`));
          const recorded = await recorder.record(tx, { tenantId, session, drafts });
          if (t % 4 === 3) throw new Rollback();
          return recorded.map((r) => r.id);
        }),
      ),
    );
    const committed = outcomes.flatMap((o) => (o.status === "fulfilled" ? o.value : []));
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(Rollback);
    expect(committed).toHaveLength(36);

    const rows = await db.store.db.select().from(interventions).orderBy(asc(interventions.leafIndex));
    expect(rows.map((r) => r.leafIndex)).toEqual(rows.map((_, i) => i));
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(committed));
    // A turn's records are consecutive leaves, in the order they were drafted.
    for (const row of rows.filter((r) => r.turnId?.endsWith("_1"))) {
      const previous = rows[row.leafIndex - 1];
      expect(previous?.turnId).toBe(row.turnId?.replace(/_1$/, "_0"));
    }
    // Each stored leaf hash is the RFC 6962 hash of the stored record.
    for (const row of rows)
      expect(row.leafHash.equals(leafHash(canonicalRecordBytes(row.record)))).toBe(true);
  });

  it("signs a checkpoint over exactly the stored leaves, and every record's receipt verifies", async () => {
    const key = generateSigningKey();
    const receipts = createReceiptService(db.store.db, { key, origin: "candor.test/log" });
    const rows = await db.store.db.select().from(interventions).orderBy(asc(interventions.leafIndex));
    const checkpoint = await receipts.head();
    expect(checkpoint?.size).toBe(rows.length);
    expect(checkpoint?.rootHash).toBe(rootFromLeafHashes(rows.map((r) => r.leafHash)).toString("base64"));
    const issued = await receipts.receiptsFor(rows);
    expect(issued.size).toBe(rows.length);
    for (const receipt of issued.values()) {
      expect(verifyReceipt(JSON.parse(JSON.stringify(receipt)), key.publicKeyPem).valid).toBe(true);
    }
  });
});

const READ_HEAD = statement("select size, frontier from log_state where id = 'head'");
const APPEND_LEAVES = statement("select first_index from candor_log_append(:leaves::text[]::bytea[])");

describe("candor_log_append (migration 0003)", () => {
  it("folds leaves into the head exactly as the reference frontier does, for every size to 70", async () => {
    const store = await createTestStore();
    try {
      const readHead = async (tx: Db) => {
        const [h] = await runStatement<{ size: number | string; frontier: string[] }>(tx, READ_HEAD, {});
        return { size: Number(h?.size), frontier: h?.frontier ?? [] };
      };
      const batches = [1, 1, 2, 3, 1, 5, 8, 1, 13, 2, 1, 21, 4, 7]; // 70 leaves in uneven batches
      await store.store.db
        .transaction(async (tx) => {
          let reference = emptyFrontier();
          let n = 0;
          for (const b of batches) {
            const leaves = Array.from({ length: b }, () => randomBytes(32));
            const hexes = leaves.map((l) => `\\x${l.toString("hex")}`);
            const [r] = await runStatement<{ first_index: number | string }>(tx, APPEND_LEAVES, {
              leaves: hexes,
            });
            expect(Number(r?.first_index)).toBe(n);
            reference = appendToFrontier(reference, leaves);
            n += b;
            const head = await readHead(tx);
            expect(head.size).toBe(n);
            expect(head.frontier).toEqual(reference.nodes.map((x) => x.toString("base64")));
          }
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
    } finally {
      await store.close();
    }
  });
});
