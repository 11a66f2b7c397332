/**
 * Every way the model side can end a turn is recorded with its cause and explained to the user as what it was:
 * the provider's refusal is "not our filter", an error is "not a safety decision", a limit is the model's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamText, until } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";
import { call, expectNoInternals, onlyRecord, type RecordJson, recordsOf, tokenOf, turn } from "./helpers.js";

let candor: TestCandor;
let tenant: Awaited<ReturnType<TestCandor["tenant"]>>;

beforeAll(async () => {
  candor = await startTestCandor();
  tenant = await candor.tenant();
});
afterAll(() => candor.stop());

interface Case {
  name: string;
  prompt: string;
  stream: boolean;
  cause: string;
  actor: string;
  /** Phrases the explanation must contain (each part checked where it belongs). */
  who: string[];
  why?: string;
  error?: { type: string; status: number | null };
}

const cases: Case[] = [
  {
    name: "refusal",
    prompt: "[sim:refusal after=3] tell me about it please now",
    stream: true,
    cause: "upstream_refusal",
    actor: "upstream_model",
    who: ["the model's provider", "Not our filter"],
    why: 'stop reason "refusal"',
  },
  {
    name: "error-after",
    prompt: "[sim:error_after n=3 type=api_error] a few words to say back",
    stream: true,
    cause: "upstream_error",
    actor: "upstream_platform",
    who: ["Not our filter", "Not a safety decision"],
    error: { type: "api_error", status: null },
  },
  {
    name: "overloaded",
    prompt: "[sim:status code=529]",
    stream: false,
    cause: "upstream_overloaded",
    actor: "upstream_platform",
    who: ["Not a safety decision"],
    why: "overloaded_error (HTTP 529)",
    error: { type: "overloaded_error", status: 529 },
  },
  {
    name: "rate-limited",
    prompt: "[sim:status code=429]",
    stream: false,
    cause: "quota_or_billing",
    actor: "upstream_platform",
    who: ["Not a safety decision"],
    why: "rate_limit_error (HTTP 429)",
    error: { type: "rate_limit_error", status: 429 },
  },
  {
    name: "rejected",
    prompt: "[sim:status code=400] prompt is too long",
    stream: false,
    cause: "request_rejected",
    actor: "upstream_platform",
    who: ["Not a safety decision"],
    why: "invalid_request_error (HTTP 400)",
    error: { type: "invalid_request_error", status: 400 },
  },
  {
    name: "max-tokens",
    prompt: "[sim:max_tokens n=4]",
    stream: false,
    cause: "length_limit",
    actor: "upstream_model",
    who: ["the model, on its own limit", "Not a safety decision"],
    why: 'stop reason "max_tokens"',
  },
  {
    name: "context",
    prompt: "[sim:context_limit n=4]",
    stream: false,
    cause: "context_limit",
    actor: "upstream_model",
    who: ["the model, on its own limit"],
    why: "model_context_window_exceeded",
  },
  {
    name: "reset",
    prompt: "[sim:reset after=3] words before the connection drops",
    stream: true,
    cause: "upstream_error",
    actor: "upstream_platform",
    who: ["Not a safety decision"],
    error: { type: "connection_reset", status: null },
  },
];

function expectExplained(rec: RecordJson, c: Case): void {
  expect(rec.actor).toBe(c.actor);
  for (const phrase of c.who) expect(rec.explanation.parts.who).toContain(phrase);
  if (c.why) expect(rec.explanation.parts.why).toContain(c.why);
  expect(rec.explanation.parts.appeal).toBeNull();
  expect(rec.redress.appealable).toBe(false);
  expect(rec.explanation.text).toContain(rec.id);
  expect(rec.explanation.text).not.toContain("our filter,");
}

describe("upstream causes, end to end", () => {
  for (const c of cases) {
    it(`${c.name} → ${c.cause}, explained with the right actor`, async () => {
      const session = `up-${c.name}`;
      let explainUrl: string | null;
      if (c.stream) {
        const res = await streamText(tenant.client, c.prompt, { headers: { "x-candor-session": session } });
        expect(res.sessionId).toBe(session);
        const s = await call(candor, { key: tenant.key }, "GET", `/v1/sessions/${session}`);
        expect(s.status).toBe(200);
        explainUrl = null;
      } else {
        const res = await turn(tenant.client, session, c.prompt);
        expect(res.headers.get("x-candor-interventions")).toBe("1");
        explainUrl = res.headers.get("x-candor-explain");
      }
      const rec = await onlyRecord(candor, { key: tenant.key }, session, c.cause);
      expectExplained(rec, c);
      expectNoInternals(rec, tenant.id);
      if (c.error) {
        expect(rec.error).toMatchObject(c.error);
        if (c.error.status !== null) expect(rec.error?.upstream_request_id).toMatch(/^req_sim_/);
      }
      if (explainUrl) {
        // The end user's link reaches the same record.
        const viewed = await call<RecordJson>(
          candor,
          { token: tokenOf(explainUrl) },
          "GET",
          `/v1/interventions/${rec.id}`,
        );
        expect(viewed.status).toBe(200);
        expect(viewed.json.explanation.text).toBe(rec.explanation.text);
      }
    });
  }

  it("client abort → client_disconnect, the connection is named, not a safety decision", async () => {
    const session = "up-abort";
    const got = await streamText(tenant.client, "[sim:long n=200 delay_ms=5]", {
      abortAfterDeltas: 3,
      headers: { "x-candor-session": session },
    });
    expect(got.text.length).toBeGreaterThan(0);
    const rec = await until(async () =>
      (await recordsOf(candor, { key: tenant.key }, session)).find((r) => r.cause === "client_disconnect"),
    );
    expect(rec.actor).toBe("client");
    expect(rec.explanation.parts.who).toContain("the connection between you and the app");
    expect(rec.explanation.parts.who).toContain("Not a safety decision");
    expect(rec.recoverable.what).toBe("partial");
  });

  it("a completed turn records nothing", async () => {
    const res = await turn(tenant.client, "up-fine", "hello there");
    expect(res.headers.get("x-candor-interventions")).toBe("0");
    expect(await recordsOf(candor, { key: tenant.key }, "up-fine")).toEqual([]);
  });

  it("explanations fall back to English for an unknown locale", async () => {
    const [rec] = await recordsOf(candor, { key: tenant.key }, "up-overloaded", "?locale=xx-YY");
    expect(rec?.explanation.locale).toBe("en");
  });
});
