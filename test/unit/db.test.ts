/**
 * The hot path's statements reach the driver directly (prepared on postgres.js, PGlite's own parsers): if a
 * drizzle upgrade changed the session's shape, they would silently fall back to slower unprepared execution.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDrizzleSql, rawClientOf, runStatement, statement } from "../../src/store/db.js";
import { createTestStore, type TestStore } from "../helpers/store.js";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.close());

describe("raw statements", () => {
  it("reach the driver of the database and of a transaction", async () => {
    const db = store.store.db;
    expect(rawClientOf(db)?.kind).toBe(store.store.kind);
    await db.transaction(async (tx) => {
      expect(rawClientOf(tx)?.kind).toBe(store.store.kind);
    });
  });

  it("run with array parameters and return rows, inside a transaction too", async () => {
    const db = store.store.db;
    const ids = ["a", "b", "c"];
    const numbered = statement(
      "select u.id, u.n::int as n from unnest(:ids::text[]) with ordinality as u(id, n)",
    );
    const rows = await runStatement<{ id: string; n: number }>(db, numbered, { ids });
    expect(rows).toEqual([
      { id: "a", n: 1 },
      { id: "b", n: 2 },
      { id: "c", n: 3 },
    ]);
    const same = statement("select :xs::text[] = array['x'] and :n::int = 2 as ok");
    const inTx = await db.transaction((tx) => runStatement<{ ok: boolean }>(tx, same, { xs: ["x"], n: 2 }));
    expect(inTx).toEqual([{ ok: true }]);
  });

  it("number named parameters once each, leaving casts and quoted literals alone", () => {
    const st = statement("select :a::int, :b::jsonb, :a || 'x:y and :b and it''s :c', (:list::text[])[:a]");
    expect(st.text).toBe("select $1::int, $2::jsonb, $1 || 'x:y and :b and it''s :c', ($3::text[])[$1]");
    expect(st.names).toEqual(["a", "b", "list"]);
    expect(() => statement("select $1")).toThrow(/no `\$`/);
  });

  it("refuse a missing parameter instead of sending NULL, and a parameter the text does not name", async () => {
    const st = statement("select :a::int as a, :b::int as b");
    await expect(runStatement(store.store.db, st, { a: 1 } as never)).rejects.toThrow(/:b is missing/);
    await expect(runStatement(store.store.db, st, { a: 1, b: 2, c: 3 } as never)).rejects.toThrow(
      /no parameter :c/,
    );
    expect(await runStatement(store.store.db, st, { a: 1, b: null })).toEqual([{ a: 1, b: null }]);
  });

  it("give the same rows through drizzle when the driver cannot be reached (the fallback)", async () => {
    const st = statement("select :a::int + :b::int as sum, :a::int as a, :xs::text[] as xs");
    const values = [2, 3, ["p", "q"]];
    const result: unknown = await store.store.db.execute(asDrizzleSql(st.text, values));
    const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
    expect([...rows]).toEqual([{ sum: 5, a: 2, xs: ["p", "q"] }]);
    expect(await runStatement(store.store.db, st, { a: 2, b: 3, xs: ["p", "q"] })).toEqual([...rows]);
  });
});
