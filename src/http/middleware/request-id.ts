import { createMiddleware } from "hono/factory";
import { newId } from "../../store/ids.js";

export type RequestVars = { requestId: string; startedAt: number };

/** Every request gets Candor's own id: in logs, in error bodies, and in the x-candor-request-id header. */
export const requestId = createMiddleware<{ Variables: RequestVars }>(async (c, next) => {
  const id = newId("req_candor", 9);
  c.set("requestId", id);
  c.set("startedAt", performance.now());
  await next();
  if (!c.res.headers.has("x-candor-request-id")) c.res.headers.set("x-candor-request-id", id);
});
