/**
 * Migration 0004 makes the in-flight index partial, and leaves one already partial as it is (the by-hand
 * CONCURRENTLY route it describes). Crash recovery's lookup still finds what it must.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStatement, statement } from "../../src/store/db.js";
import { inFlightTurns } from "../../src/store/turns.js";
import { createTestStore, type TestStore } from "../helpers/store.js";

const MIGRATION = readFileSync(
  join(import.meta.dirname, "..", "..", "migrations", "0004_in_flight_partial_index.sql"),
  "utf8",
);

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.close());

const INDEX_DEF = statement("select indexdef from pg_indexes where indexname = 'turns_in_flight_idx'");
const INDEX_OID = statement("select 'turns_in_flight_idx'::regclass::oid as oid");

async function inFlightIndex(): Promise<string> {
  const rows = await runStatement<{ indexdef: string }>(store.store.db, INDEX_DEF, {});
  expect(rows).toHaveLength(1);
  return rows[0]?.indexdef ?? "";
}

/** The index's identity: a rebuilt index gets a new one. */
async function inFlightIndexOid(): Promise<string> {
  const [row] = await runStatement<{ oid: string | number }>(store.store.db, INDEX_OID, {});
  return String(row?.oid);
}

describe("migration 0004: the in-flight index", () => {
  it("covers only turns in flight on a migrated database", async () => {
    expect(await inFlightIndex()).toMatch(/\(instance_id\) WHERE \(status = 'in_flight'::text\)/);
  });

  it("turns the old full index into the partial one, and leaves a partial one as it is", async () => {
    const db = store.store.db;
    await db.execute(sql`drop index turns_in_flight_idx`);
    await db.execute(sql`create index turns_in_flight_idx on turns (status, instance_id)`); // as 0000 made it
    await db.execute(sql.raw(MIGRATION));
    expect(await inFlightIndex()).toMatch(/WHERE \(status = 'in_flight'::text\)/);
    const partial = await inFlightIndexOid();
    await db.execute(sql.raw(MIGRATION));
    expect(await inFlightIndexOid()).toBe(partial);
  });

  it("still serves crash recovery: other instances' turns in flight, not ended ones", async () => {
    const db = store.store.db;
    const tenant = "ten_mig";
    await db.execute(sql`insert into tenants (id, name) values (${tenant}, 'm')`);
    await db.execute(
      sql`insert into sessions (pk, tenant_id, external_id, derived) values ('ses_mig', ${tenant}, 'x', false)`,
    );
    for (const [id, status, instance] of [
      ["turn_a", "in_flight", "ins_dead"],
      ["turn_b", "ended", "ins_dead"],
      ["turn_c", "in_flight", "ins_live"],
    ] as const) {
      await db.execute(sql`insert into turns (id, tenant_id, session_pk, input_leaf_id, status, stream, request_id,
        instance_id) values (${id}, ${tenant}, 'ses_mig', 'msg_x', ${status}, true, 'req', ${instance})`);
    }
    expect((await inFlightTurns(db, "ins_live")).map((t) => t.id)).toEqual(["turn_a"]);
  });
});
