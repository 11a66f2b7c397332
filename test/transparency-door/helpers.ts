/** Shared helpers for the transparency-door tests: calls as an app, an end user (view token) or a moderator. */
import type Anthropic from "@anthropic-ai/sdk";
import { expect } from "vitest";
import type { TestCandor } from "../helpers/candor.js";

export type Json = Record<string, unknown>;

export interface RecordJson {
  id: string;
  cause: string;
  actor: string;
  session_id: string;
  turn_id: string | null;
  content: {
    message_id: string | null;
    role: string | null;
    block_index: number | null;
    start: number | null;
    end: number | null;
  };
  rule: { policy_id: string; policy_version: string; rule_id: string; hazard: string; action: string } | null;
  error: { type: string; status: number | null; upstream_request_id: string | null } | null;
  redress: { appealable: boolean; deadline: string | null };
  recoverable: { what: string; until: string | null };
  appeal_of: string | null;
  explanation: {
    locale: string;
    title: string;
    text: string;
    parts: Record<string, string | null>;
  };
  appeal: {
    id: string;
    status: string;
    decision: string | null;
    reason: string | null;
    restored_message_id: string | null;
  } | null;
  receipt: Json;
  withheld?: Array<{ index: number; kind: string; original: string }> | null;
}

export type Auth = { key: string } | { token: string } | { admin: string } | null;

function headersFor(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ("key" in auth) return { "x-api-key": auth.key };
  if ("token" in auth) return { "x-candor-view-token": auth.token };
  return { authorization: `Bearer ${auth.admin}` };
}

/** One call to Candor's door; the body parsed as JSON. */
export async function call<T = Json>(
  candor: TestCandor,
  auth: Auth,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${candor.url}${path}`, {
    method,
    headers: { ...headersFor(auth), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as T };
}

/** The view token from an x-candor-explain URL. */
export function tokenOf(explainUrl: string | null): string {
  const token = explainUrl ? new URL(explainUrl).searchParams.get("token") : null;
  if (!token) throw new Error(`no token in ${explainUrl}`);
  return token;
}

/** A non-streaming turn in a named session; resolves with the response headers (errors included). */
export async function turn(
  client: Anthropic,
  session: string,
  content: string,
  history: Anthropic.MessageParam[] = [],
): Promise<{ headers: Headers; message: Anthropic.Message | null; error: unknown }> {
  try {
    const { data, response } = await client.messages
      .create(
        { model: "claude-sim-1", max_tokens: 256, messages: [...history, { role: "user", content }] },
        { headers: { "x-candor-session": session } },
      )
      .withResponse();
    return { headers: response.headers, message: data, error: null };
  } catch (err) {
    const headers = (err as { headers?: Headers }).headers ?? new Headers();
    return { headers, message: null, error: err };
  }
}

/** A session's records, as its owner sees them. */
export async function recordsOf(
  candor: TestCandor,
  auth: Auth,
  session: string,
  query = "",
): Promise<RecordJson[]> {
  const r = await call<{ data: RecordJson[] }>(
    candor,
    auth,
    "GET",
    `/v1/sessions/${session}/interventions${query}`,
  );
  expect(r.status).toBe(200);
  return r.json.data;
}

/** The only record of `cause` in a session. */
export async function onlyRecord(
  candor: TestCandor,
  auth: Auth,
  session: string,
  cause: string,
): Promise<RecordJson> {
  const all = await recordsOf(candor, auth, session);
  const matching = all.filter((r) => r.cause === cause);
  expect(matching, `records of ${session}: ${all.map((r) => r.cause).join(", ")}`).toHaveLength(1);
  return matching[0] as RecordJson;
}

/** Verifies a receipt through the public endpoint. */
export async function verifyOnline(candor: TestCandor, receipt: unknown) {
  const r = await call<{ valid: boolean; reason?: string; checks: Record<string, boolean> }>(
    candor,
    null,
    "POST",
    "/v1/receipts/verify",
    receipt,
  );
  expect(r.status).toBe(200);
  return r.json;
}

/** What the record response must never carry: the tenant id and an error message. */
export function expectNoInternals(record: RecordJson, tenantId: string): void {
  const { receipt: _receipt, ...shown } = record;
  expect(JSON.stringify(shown)).not.toContain(tenantId);
  if (record.error)
    expect(Object.keys(record.error).sort()).toEqual(["status", "type", "upstream_request_id"]);
}

export const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
