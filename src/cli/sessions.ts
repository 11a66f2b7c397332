/**
 * `candor sessions list|show|export|restore` — the operator's view of sessions, read straight from the database
 * (DATABASE_URL or CANDOR_DATA_DIR), so it works when the server is down. Output is JSON (tables for `list`).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { sessionView } from "../http/routes/session-view.js";
import { RestoreError, restoreConversation } from "../session/restore.js";
import { openStore, type Store } from "../store/db.js";
import { findSession, listSessionsWithLatest, sessionMessages, sessionState } from "../store/sessions.js";
import { findTenantByName } from "../store/tenants.js";
import { sessionTurns } from "../store/turns.js";
import type { Io } from "./main.js";

const USAGE = `Usage:
  candor sessions list --tenant NAME [--user ID] [--state active|interrupted|deleted|erased] [--limit N]
  candor sessions show SESSION --tenant NAME
  candor sessions export SESSION --tenant NAME [--out FILE]
  candor sessions restore SESSION --tenant NAME [--leaf MESSAGE_ID] [--no-partial] [--continuation auto|prefill|user_turn]`;

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function runSessionsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      user: { type: "string" },
      state: { type: "string" },
      limit: { type: "string", default: "50" },
      out: { type: "string" },
      leaf: { type: "string" },
      "no-partial": { type: "boolean", default: false },
      continuation: { type: "string", default: "auto" },
    },
  });
  if (!sub || !["list", "show", "export", "restore"].includes(sub) || !values.tenant) {
    io.err(USAGE);
    return 2;
  }
  const tenantName = values.tenant;
  return withStore(async (store) => {
    const tenant = await findTenantByName(store.db, tenantName);
    if (!tenant) {
      io.err(`candor sessions: no tenant named "${tenantName}"`);
      return 1;
    }
    if (sub === "list") {
      const rows = await listSessionsWithLatest(store.db, tenant.id, {
        ...(values.user ? { endUser: values.user } : {}),
        limit: Number(values.limit),
      });
      const shown = rows
        .map((r) => ({ ...r, state: sessionState(r, r.latestCause, r.latestStatus) }))
        .filter((r) => !values.state || r.state === values.state);
      io.out(
        [
          "SESSION\tSTATE\tTURNS\tLAST CAUSE\tUSER\tUPDATED",
          ...shown.map((r) =>
            [
              r.externalId,
              r.state,
              r.turns,
              r.latestCause ?? "-",
              r.endUser ?? "-",
              r.updatedAt.toISOString(),
            ].join("\t"),
          ),
        ].join("\n"),
      );
      return 0;
    }
    const id = positionals[0];
    if (!id) {
      io.err(USAGE);
      return 2;
    }
    const session = await findSession(store.db, tenant.id, id);
    if (!session) {
      io.err(`candor sessions: no session ${id} in tenant ${tenantName}`);
      return 1;
    }
    const [rows, turns] = await Promise.all([
      sessionMessages(store.db, session.pk),
      sessionTurns(store.db, session.pk),
    ]);
    if (sub === "restore") {
      try {
        const continuation = values.continuation as "auto" | "prefill" | "user_turn";
        if (!["auto", "prefill", "user_turn"].includes(continuation))
          throw new RestoreError("empty", `--continuation: expected auto, prefill or user_turn`);
        const restored = restoreConversation(session.externalId, rows, turns, {
          leaf: values.leaf,
          includePartial: !values["no-partial"],
          continuation,
        });
        // The ready-to-resend request body: the turn's parameters with the restored system and messages.
        io.out(
          JSON.stringify(
            {
              ...(restored.params ?? {}),
              ...(restored.system !== undefined ? { system: restored.system } : {}),
              messages: restored.messages,
            },
            null,
            2,
          ),
        );
        if (restored.dropped_blocks.length)
          io.err(
            `dropped ${restored.dropped_blocks.length} incomplete block(s): ${JSON.stringify(restored.dropped_blocks)}`,
          );
        return 0;
      } catch (err) {
        if (err instanceof RestoreError) {
          io.err(`candor sessions restore: ${err.message}`);
          return 1;
        }
        throw err;
      }
    }
    const json = JSON.stringify(sessionView(session, rows, turns), null, 2);
    if (sub === "export" && values.out) {
      writeFileSync(values.out, json);
      io.err(`Exported session ${id} (${rows.length} messages, ${turns.length} turns) to ${values.out}`);
    } else io.out(json);
    return 0;
  });
}
