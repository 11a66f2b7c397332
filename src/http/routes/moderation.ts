/**
 * The moderator's door (admin token): the appeal queue with each record and the withheld original it concerns,
 * deciding an appeal (uphold / reverse with a reason; a reversal restores the content where possible), and any
 * record with its withheld content. Moderators act across tenants; tenant ids still never appear.
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppealRow, listAppeals } from "../../store/appeals.js";
import { decideAppeal, withheldFor } from "../../transparency/appeals.js";
import {
  findIntervention,
  interventionsByIds,
  type StoredIntervention,
} from "../../transparency/receipt-service.js";
import { AppError } from "../errors.js";
import type { AdminVars } from "../middleware/admin.js";
import { parseJsonBody } from "../validate.js";
import { appealErrorToApp, appealView, createRecordViews, type DoorDeps } from "./interventions.js";

type Env = { Variables: AdminVars };

const queueSchema = z.object({
  status: z.enum(["open", "decided"]).default("open"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const decisionSchema = z.strictObject({
  decision: z.enum(["uphold", "reverse"]),
  reason: z.string().trim().min(1, "give the reason the user will read").max(4000),
});

function queryError(error: z.ZodError): AppError {
  return new AppError(
    "invalid_request_error",
    error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
  );
}

export function moderationRoutes(deps: DoorDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { views } = createRecordViews(deps);

  /** Record views with the withheld original each concerns (null when nothing was withheld). */
  async function withWithheld(rows: StoredIntervention[], locale: string | undefined) {
    const [shown, withheld] = await Promise.all([
      views(rows, locale),
      Promise.all(rows.map((r) => withheldFor(deps.db, r.record))),
    ]);
    return shown.map((v, i) => ({ ...v, withheld: withheld[i] ?? null }));
  }

  app.get("/moderation/appeals", async (c) => {
    const q = queueSchema.safeParse(c.req.query());
    if (!q.success) throw queryError(q.error);
    const appeals = await listAppeals(deps.db, q.data.status, q.data.limit);
    const rows = await interventionsByIds(
      deps.db,
      appeals.map((a) => a.interventionId),
    );
    const records = new Map((await withWithheld(rows, undefined)).map((v) => [v.id, v]));
    const data = appeals.map((a: AppealRow) => ({
      ...appealView(a),
      intervention_id: a.interventionId,
      record: records.get(a.interventionId) ?? null,
    }));
    return c.json({ data });
  });

  app.post("/moderation/appeals/:id/decision", async (c) => {
    const body = await parseJsonBody(c.req.raw, decisionSchema);
    const decided = await decideAppeal(
      deps,
      c.req.param("id"),
      body.decision === "reverse" ? "reversed" : "upheld",
      body.reason,
    ).catch(appealErrorToApp);
    const decisionRow = await findIntervention(deps.db, decided.decisionRecord.id);
    const [record, decisionRecord] = await withWithheld(
      decisionRow ? [decided.original, decisionRow] : [decided.original],
      undefined,
    );
    const restored = decided.restoredMessageId;
    return c.json({
      ...appealView(decided.appeal),
      intervention_id: decided.original.id,
      record,
      decision_record: decisionRecord ?? null,
      restored: restored
        ? { message_id: restored, session_id: decided.original.record.sessionId, restore: { leaf: restored } }
        : null,
    });
  });

  app.get("/moderation/interventions/:id", async (c) => {
    const id = c.req.param("id");
    const row = await findIntervention(deps.db, id);
    if (!row) throw new AppError("not_found_error", `No intervention ${id}.`);
    const [view] = await withWithheld([row], c.req.query("locale"));
    return c.json(view);
  });

  return app;
}
