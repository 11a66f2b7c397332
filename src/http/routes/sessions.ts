/**
 * The session door: list, read (the message tree), restore, delete, erase. A tenant key sees its tenant; a view
 * token sees one session. Every change is recorded as an intervention with its actor.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { ProxyDeps } from "../../proxy/deps.js";
import { inFlightReplies } from "../../session/in-flight.js";
import { toOpenAiMessages } from "../../session/openai-format.js";
import { RestoreError, restoreConversation } from "../../session/restore.js";
import {
  eraseSessionContent,
  softDeleteMessage,
  softDeleteSession,
  undeleteSession,
} from "../../store/deletion.js";
import {
  findSession,
  listSessionsWithLatest,
  type SessionRow,
  sessionMessages,
  sessionState,
} from "../../store/sessions.js";
import { sessionTurns } from "../../store/turns.js";
import { AppError } from "../errors.js";
import { assertSessionAccess, type Principal, type PrincipalVars } from "../middleware/principal.js";
import { parseJsonBody } from "../validate.js";
import { sessionView } from "./session-view.js";

type Env = { Variables: PrincipalVars };

const restoreSchema = z.strictObject({
  branch: z.string().min(1).optional(),
  leaf: z.string().min(1).optional(),
  include_partial: z.boolean().default(true),
  continuation: z.enum(["auto", "prefill", "user_turn"]).default("auto"),
  format: z.enum(["anthropic", "openai"]).default("anthropic"),
});

const listSchema = z.object({
  user: z.string().min(1).optional(),
  state: z.enum(["active", "interrupted", "deleted", "erased"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function sessionRoutes(deps: ProxyDeps): Hono<Env> {
  const app = new Hono<Env>();
  const days = (n: number) => new Date(Date.now() + n * 86_400_000);

  /** The session, if this principal may see it; otherwise 404 either way. */
  async function load(principal: Principal, id: string): Promise<SessionRow> {
    assertSessionAccess(principal, id);
    const s = await findSession(deps.db, principal.tenantId, id);
    if (!s) throw new AppError("not_found_error", `No session ${id}.`);
    return s;
  }

  async function record(
    principal: Principal,
    s: SessionRow,
    cause: "client_deletion" | "user_deletion" | "erasure",
    facts: Record<string, string | number | boolean | null>,
    until: Date | null,
  ) {
    return deps.db.transaction((tx) =>
      deps.interventions.record(tx, {
        tenantId: principal.tenantId,
        session: s,
        drafts: [
          {
            cause,
            turnId: null,
            content: { messageId: typeof facts.message_id === "string" ? facts.message_id : null },
            recoverable: until ? { what: "all", until: until.toISOString() } : { what: "none", until: null },
            facts: { ...facts, ...(until ? { retention_days: deps.config.retentionDays } : {}) },
          },
        ],
      }),
    );
  }

  app.get("/sessions", async (c) => {
    const p = c.get("principal");
    if (p.kind !== "tenant")
      throw new AppError("permission_error", "Listing sessions needs the tenant's app key.");
    const q = listSchema.safeParse(c.req.query());
    if (!q.success)
      throw new AppError(
        "invalid_request_error",
        q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      );
    const rows = await listSessionsWithLatest(deps.db, p.tenantId, {
      ...(q.data.user ? { endUser: q.data.user } : {}),
      limit: q.data.state ? 200 : q.data.limit,
    });
    const data = rows
      .map((r) => ({
        id: r.externalId,
        end_user: r.endUser,
        state: sessionState(r, r.latestCause, r.latestStatus),
        last_cause: r.latestCause,
        turns: r.turns,
        created_at: r.createdAt.toISOString(),
        updated_at: r.updatedAt.toISOString(),
      }))
      .filter((r) => !q.data.state || r.state === q.data.state)
      .slice(0, q.data.limit);
    return c.json({ data });
  });

  app.get("/sessions/:id", async (c) => {
    const s = await load(c.get("principal"), c.req.param("id"));
    const [rows, turns] = await Promise.all([sessionMessages(deps.db, s.pk), sessionTurns(deps.db, s.pk)]);
    return c.json(sessionView(s, rows, turns));
  });

  app.post("/sessions/:id/restore", async (c) => {
    const p = c.get("principal");
    const s = await load(p, c.req.param("id"));
    const opts = await parseJsonBody(c.req.raw, restoreSchema, { allowEmpty: true });
    const [stored, turns] = await Promise.all([sessionMessages(deps.db, s.pk), sessionTurns(deps.db, s.pk)]);
    // A reply still streaming is already in the journal: restore includes it as a partial.
    const inFlight = await inFlightReplies(deps.db, s.pk, stored, turns);
    const rows = [...stored, ...inFlight];
    const withLeaves = turns.map((t) => {
      const provisional = inFlight.find((m) => m.turnId === t.id);
      return provisional ? { ...t, outputMessageId: provisional.id } : t;
    });
    let restored: ReturnType<typeof restoreConversation>;
    try {
      restored = restoreConversation(s.externalId, rows, withLeaves, {
        leaf: opts.leaf ?? opts.branch,
        includePartial: opts.include_partial,
        continuation: opts.continuation,
      });
    } catch (err) {
      if (err instanceof RestoreError) {
        throw new AppError(
          err.code === "unknown_leaf" ? "invalid_request_error" : "not_found_error",
          err.message,
        );
      }
      throw err;
    }
    if (s.deletedAt) await undeleteSession(deps.db, s.pk); // restoring a soft-deleted session brings it back
    if (opts.format === "openai") {
      return c.json({
        ...restored,
        format: "openai",
        messages: toOpenAiMessages(restored.system, restored.messages),
      });
    }
    return c.json({ ...restored, format: "anthropic" });
  });

  app.delete("/sessions/:id", async (c) => {
    const p = c.get("principal");
    const s = await load(p, c.req.param("id"));
    if (s.erasedAt)
      throw new AppError("invalid_request_error", "The session was erased; nothing is left to delete.");
    const until = days(deps.config.retentionDays);
    await softDeleteSession(deps.db, s.pk, until);
    const [rec] = await record(
      p,
      s,
      p.kind === "viewer" ? "user_deletion" : "client_deletion",
      { scope: "session" },
      until,
    );
    return c.json({
      id: s.externalId,
      deleted: true,
      restorable_until: until.toISOString(),
      intervention: rec?.id ?? null,
    });
  });

  app.delete("/sessions/:id/messages/:messageId", async (c) => {
    const p = c.get("principal");
    const s = await load(p, c.req.param("id"));
    const until = days(deps.config.retentionDays);
    const messageId = c.req.param("messageId");
    if (!(await softDeleteMessage(deps.db, s.pk, messageId, until))) {
      throw new AppError("not_found_error", `No message ${messageId} in session ${s.externalId}.`);
    }
    const cause = p.kind === "viewer" ? "user_deletion" : "client_deletion";
    const [rec] = await record(p, s, cause, { scope: "message", message_id: messageId }, until);
    return c.json({
      id: messageId,
      deleted: true,
      restorable_until: until.toISOString(),
      intervention: rec?.id ?? null,
    });
  });

  app.post("/sessions/:id/erase", async (c) => {
    const p = c.get("principal");
    const s = await load(p, c.req.param("id"));
    if (s.erasedAt) return c.json({ id: s.externalId, erased: true, already: true });
    const result = await deps.db.transaction(async (tx) => {
      const erased = await eraseSessionContent(tx, s.pk);
      await deps.interventions.record(tx, {
        tenantId: p.tenantId,
        session: s,
        drafts: [
          {
            cause: "erasure",
            turnId: null,
            recoverable: { what: "none", until: null },
            facts: { messages: erased.messages },
          },
        ],
      });
      return erased;
    });
    return c.json({ id: s.externalId, erased: true, messages_erased: result.messages });
  });

  return app;
}
