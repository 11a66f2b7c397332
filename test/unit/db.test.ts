/**
 * The hot path's raw statements reach the driver directly (prepared on postgres.js, PGlite's own parsers): if a
 * drizzle upgrade changed the session's shape, they would silently fall back to slower unprepared execution.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows, rawClientOf } from "../../src/store/db.js";
import { createTestStore, type TestStore } from "../helpers/store.js";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.close());

describe("raw statements", () => {
  it("reach the driver of the database and of a transaction", async () => {
    const db = store.store.db;
    expect(rawClientOf(db)?.client.kind).toBe(store.store.kind);
    await db.transaction(async (tx) => {
      expect(rawClientOf(tx)?.client.kind).toBe(store.store.kind);
    });
  });

  it("run with array parameters and return rows, inside a transaction too", async () => {
    const db = store.store.db;
    const ids = ["a", "b", "c"];
    const rows = await executeRows<{ id: string; n: number }>(
      db,
      sql`select u.id, u.n::int as n from unnest(${sql.param(ids)}::text[]) with ordinality as u(id, n)`,
    );
    expect(rows).toEqual([
      { id: "a", n: 1 },
      { id: "b", n: 2 },
      { id: "c", n: 3 },
    ]);
    const inTx = await db.transaction((tx) =>
      executeRows<{ ok: boolean }>(tx, sql`select ${sql.param(["x"])}::text[] = array['x'] as ok`),
    );
    expect(inTx).toEqual([{ ok: true }]);
  });
});
