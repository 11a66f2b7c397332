/**
 * Runs once before the suite. When DATABASE_URL is set the suite runs against real PostgreSQL:
 * check it is reachable now, so a missing server fails with one clear message instead of every test.
 */
import { execFileSync } from "node:child_process";
import postgres from "postgres";

/**
 * Process-level tests run the compiled Candor (dist/), as `npm start` does: build it now (incremental, so cheap when
 * nothing changed) so they never run a stale build.
 */
function buildDist(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}

export async function setup(): Promise<void> {
  // CANDOR_TEST_SKIP_BUILD=1 reuses the current dist/ (for quick runs of in-process tests while src/ is mid-edit).
  if (process.env.CANDOR_TEST_SKIP_BUILD !== "1") buildDist();
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.log("[candor tests] database backend: PGlite (embedded); set DATABASE_URL to use PostgreSQL");
    return;
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    throw new Error(`[candor tests] DATABASE_URL is set but PostgreSQL is not reachable: ${String(err)}`);
  } finally {
    await sql.end();
  }
  console.log(`[candor tests] database backend: PostgreSQL (${new URL(url).host})`);
}
