/**
 * The transparency door's records: a session's interventions, one record (with its explanation, appeal and a
 * receipt), filing an appeal, and the public log endpoints (verify a receipt, the latest checkpoint, consistency
 * proofs). A tenant key sees its tenant's records; a view token sees its own session's; anything else is 404.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { ProxyDeps } from "../../proxy/deps.js";
import { type AppealRow, appealsForInterventions } from "../../store/appeals.js";
import type { LogSigner } from "../../store/merkle-log.js";
import { findSession } from "../../store/sessions.js";
import { AppealError, fileAppeal, outcomeOf } from "../../transparency/appeals.js";
import type { SigningKey } from "../../transparency/checkpoint.js";
import { explain } from "../../transparency/explain.js";
import {
  createReceiptService,
  findIntervention,
  LogRangeError,
  type StoredIntervention,
  sessionInterventions,
} from "../../transparency/receipt-service.js";
import { type Receipt, verifyReceipt } from "../../transparency/receipts.js";
import type { InterventionRecord } from "../../transparency/record.js";
import { AppError } from "../errors.js";
import { assertSessionAccess, type Principal, type PrincipalVars } from "../middleware/principal.js";
import { parseJsonBody } from "../validate.js";

/** What the transparency door needs beyond the pipeline's deps: the log's public key. */
export type DoorDeps = ProxyDeps & {
  signingKey: Pick<SigningKey, "keyId" | "publicKeyPem">;
  logSigner: LogSigner;
};

type Env = { Variables: PrincipalVars };

/** An appeal as shown to the user, the app and moderators. */
export function appealView(a: AppealRow) {
  return {
    id: a.id,
    status: a.status,
    decision: a.decision,
    reason: a.reason,
    statement: a.statement,
    created_at: a.createdAt.toISOString(),
    decided_at: a.decidedAt?.toISOString() ?? null,
    decision_record_id: a.decisionInterventionId,
    restored_message_id: a.restoredMessageId,
  };
}

/**
 * A record as returned: snake_case, with the explanation (the appeal's outcome included once decided). Never the
 * tenant id, never error.message; the receipt carries the exact hashed record so it verifies offline.
 */
export function recordView(
  r: InterventionRecord,
  ctx: { appeal: AppealRow | undefined; receipt: Receipt | null; locale: string | undefined },
) {
  const outcome = outcomeOf(ctx.appeal);
  const appealOf = r.facts?.appeal_of;
  return {
    id: r.id,
    cause: r.cause,
    actor: r.actor,
    created_at: r.createdAt,
    session_id: r.sessionId,
    turn_id: r.turnId,
    content: {
      message_id: r.content.messageId,
      role: r.content.role,
      block_index: r.content.blockIndex,
      start: r.content.start,
      end: r.content.end,
      content_hash: r.content.contentHash,
    },
    rule: r.rule
      ? {
          policy_id: r.rule.policyId,
          policy_version: r.rule.policyVersion,
          rule_id: r.rule.ruleId,
          hazard: r.rule.hazard,
          category: r.rule.category ?? null,
          label: r.rule.label ?? null,
          action: r.rule.action,
        }
      : null,
    rule_explanation: r.ruleExplanation ?? null,
    error: r.error
      ? { type: r.error.type, status: r.error.status, upstream_request_id: r.error.upstreamRequestId }
      : null,
    automated_detection: r.automatedDetection,
    automated_decision: r.automatedDecision,
    decision_visibility: r.decisionVisibility,
    decision_ground: r.decisionGround,
    decision_facts: r.decisionFacts,
    recoverable: r.recoverable,
    redress: r.redress,
    appeal_of: typeof appealOf === "string" ? appealOf : null,
    explanation: explain(r, {
      ...(ctx.locale ? { locale: ctx.locale } : {}),
      ...(outcome ? { appealOutcome: outcome } : {}),
    }),
    appeal: ctx.appeal ? appealView(ctx.appeal) : null,
    receipt: ctx.receipt,
  };
}

export type RecordView = ReturnType<typeof recordView>;

/** Builds views of stored records: their appeals and receipts in one read each. */
export function createRecordViews(deps: DoorDeps) {
  const receipts = createReceiptService(deps.db, deps.logSigner);
  return {
    receipts,
    async views(rows: StoredIntervention[], locale: string | undefined): Promise<RecordView[]> {
      const [appeals, byId] = await Promise.all([
        appealsForInterventions(
          deps.db,
          rows.map((r) => r.id),
        ),
        receipts.receiptsFor(rows),
      ]);
      return rows.map((r) =>
        recordView(r.record, { appeal: appeals.get(r.id), receipt: byId.get(r.id) ?? null, locale }),
      );
    },
  };
}

/** Maps the appeal flow's refusals onto API errors. */
export function appealErrorToApp(err: unknown): never {
  if (err instanceof AppealError) {
    throw new AppError(err.code === "not_found" ? "not_found_error" : "invalid_request_error", err.message);
  }
  throw err;
}

const localeOf = (q: string | undefined) =>
  q && /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(q) ? q : undefined;

const appealSchema = z.strictObject({ statement: z.string().max(4000).optional() });

const consistencySchema = z.object({
  from: z.coerce.number().int().min(0),
  to: z.coerce.number().int().min(0).optional(),
});

export function interventionRoutes(deps: DoorDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { receipts, views } = createRecordViews(deps);

  /** The record, if this principal may see it; otherwise 404 (existence is not disclosed). */
  async function visible(p: Principal, id: string): Promise<StoredIntervention> {
    const row = await findIntervention(deps.db, id);
    const allowed =
      row && row.tenantId === p.tenantId && (p.kind === "tenant" || row.record.sessionId === p.sessionId);
    if (!row || !allowed) throw new AppError("not_found_error", `No intervention ${id}.`);
    return row;
  }

  app.get("/sessions/:id/interventions", async (c) => {
    const p = c.get("principal");
    const id = c.req.param("id");
    assertSessionAccess(p, id);
    const s = await findSession(deps.db, p.tenantId, id);
    if (!s) throw new AppError("not_found_error", `No session ${id}.`);
    const rows = await sessionInterventions(deps.db, s.pk);
    return c.json({ data: await views(rows, localeOf(c.req.query("locale"))) });
  });

  app.get("/interventions/:id", async (c) => {
    const row = await visible(c.get("principal"), c.req.param("id"));
    const [view] = await views([row], localeOf(c.req.query("locale")));
    return c.json(view);
  });

  app.post("/interventions/:id/appeal", async (c) => {
    const p = c.get("principal");
    const target = await visible(p, c.req.param("id"));
    if (p.kind === "viewer" && !p.canAppeal) {
      throw new AppError(
        "permission_error",
        "This link allows viewing only; ask the app for a link that allows appeals.",
      );
    }
    const body = await parseJsonBody(c.req.raw, appealSchema, { allowEmpty: true });
    const by =
      p.kind === "viewer"
        ? { appellant: "user" as const, userId: p.userId }
        : { appellant: "tenant" as const, userId: null };
    const statement = body.statement?.trim() ? body.statement : null;
    const appeal = await fileAppeal(deps.db, target, by, statement).catch(appealErrorToApp);
    const [record] = await views([target], localeOf(c.req.query("locale")));
    return c.json({ ...appealView(appeal), intervention_id: target.id, record });
  });

  app.post("/receipts/verify", async (c) => {
    const body = await parseJsonBody(c.req.raw, z.unknown());
    // A record as returned by this API carries its receipt: accept that too.
    const receipt =
      body && typeof body === "object" && !("version" in body) && "receipt" in body
        ? (body as { receipt: unknown }).receipt
        : body;
    return c.json(verifyReceipt(receipt, deps.signingKey.publicKeyPem));
  });

  app.get("/log/checkpoint", async (c) =>
    c.json({
      checkpoint: await receipts.head(),
      public_key: deps.signingKey.publicKeyPem,
      key_id: deps.signingKey.keyId,
    }),
  );

  app.get("/log/consistency", async (c) => {
    const q = consistencySchema.safeParse(c.req.query());
    if (!q.success) {
      throw new AppError(
        "invalid_request_error",
        q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      );
    }
    try {
      const r = await receipts.consistency(q.data.from, q.data.to);
      return c.json({
        from: r.from,
        to: r.to,
        proof: r.proof,
        old_checkpoint: r.oldCheckpoint,
        new_checkpoint: r.newCheckpoint,
      });
    } catch (err) {
      if (err instanceof LogRangeError) throw new AppError("invalid_request_error", err.message);
      throw err;
    }
  });

  return app;
}
