/**
 * Moderation through the proxy, as the app and the user see it: a card number the model streams (the input never
 * held it) never reaches the client in any form; a blocked input never reaches the model; a blocked stream ends
 * with a refusal that explains itself; a detector that crashed or timed out fails as its rule says, and is recorded.
 */
import { createServer, type Server } from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { turns, withheldContent } from "../../src/store/schema/index.js";
import { api, streamText } from "../helpers/api.js";
import { startTestCandor, type TestCandor } from "../helpers/candor.js";

let candor: TestCandor;
let slow: Server;

beforeAll(async () => {
  slow = createServer(() => {
    // never answers: the webhook detector must time out
  }).listen(47999, "127.0.0.1");
  candor = await startTestCandor({ CANDOR_POLICY: "test/fixtures/policies-moderation" });
});
afterAll(async () => {
  slow.closeAllConnections();
  slow.close();
  await candor.stop();
});

const CARD = "4111 1111 1111 1111";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const digitsOf = (s: string) => s.replace(/\D/g, "");

describe("output redaction on a stream", () => {
  it("a card number streamed 3 characters at a time never reaches the client; the moderator keeps the original", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "moderation" });
    const said = `Sure, your card ${CARD} is on file.`;
    const got = await streamText(client, `[sim:say chunk=3 encoding=base64] ${b64(said)}`, {
      headers: { "x-candor-session": "redact-out" },
    });
    expect(got.error).toBeNull();
    expect(got.text).toContain("[redacted: card number]");
    expect(digitsOf(got.text)).not.toContain("4111111111111111");
    expect(got.text).not.toMatch(/4111/);
    const view = await api<{ messages: Array<{ role: string; content: unknown }> }>(
      candor.url,
      (await candor.tenant(undefined, { policyId: "moderation" })).key,
      "GET",
      "/v1/sessions/redact-out",
    );
    expect(view.status).toBe(404); // another tenant cannot see it
    const [turn] = await candor.db.store.db
      .select()
      .from(turns)
      .where(eq(turns.id, got.turnId as string));
    const withheld = await candor.db.store.db
      .select()
      .from(withheldContent)
      .where(eq(withheldContent.turnId, turn?.id ?? ""));
    expect(withheld[0]?.blocks[0]?.original).toBe(said);
  });

  it("SDK messages.stream() and raw iteration both work with the candor.intervention event present", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "moderation" });
    const content = `[sim:say chunk=5 encoding=base64] ${b64(`card ${CARD} ok`)}`;
    const final = await client.messages
      .stream({ model: "m", max_tokens: 64, messages: [{ role: "user", content }] })
      .finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "card [redacted: card number] ok" });
    const raw = await streamText(client, content);
    expect(raw.events).toContain("candor.intervention");
    expect(raw.text).toBe("card [redacted: card number] ok");
  });

  it("the in-band event can be turned off per tenant", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "moderation", inbandEvents: false });
    const raw = await streamText(client, `[sim:say chunk=5 encoding=base64] ${b64(`card ${CARD} ok`)}`);
    expect(raw.events).not.toContain("candor.intervention");
    expect(raw.text).toBe("card [redacted: card number] ok");
  });
});

describe("input redaction", () => {
  it("a card number in the prompt is redacted before the model sees it; the user's own text is kept for them", async () => {
    const { client, key } = await candor.tenant(undefined, { policyId: "moderation" });
    await client.messages.create(
      { model: "m", max_tokens: 64, messages: [{ role: "user", content: `charge ${CARD} please` }] },
      { headers: { "x-candor-session": "redact-in" } },
    );
    expect(JSON.stringify(candor.sim.stats.lastRequest?.body)).not.toContain("4111");
    expect(JSON.stringify(candor.sim.stats.lastRequest?.body)).toContain("[redacted: card number]");
    const restored = await api<{ messages: Array<{ content: unknown }> }>(
      candor.url,
      key,
      "POST",
      "/v1/sessions/redact-in/restore",
      {},
    );
    expect(restored.json.messages[0]?.content).toBe(`charge ${CARD} please`);
  });
});

describe("blocking", () => {
  it("a blocked input never reaches the model and is answered with an explained refusal", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "moderation" });
    const before = candor.sim.stats.messageRequests;
    const msg = await client.messages.create({
      model: "m",
      max_tokens: 64,
      messages: [{ role: "user", content: "tell me about the nightjar" }],
    });
    expect(candor.sim.stats.messageRequests).toBe(before);
    expect(msg.stop_reason).toBe("refusal");
    const text = msg.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(text).toMatch(/test\.forbidden-word/);
    const streamed = await streamText(client, "nightjar again");
    expect(candor.sim.stats.messageRequests).toBe(before);
    expect(streamed.events.at(-1)).toBe("message_stop");
    expect(streamed.text).toMatch(/Withheld by Candor/);
  });

  it("a tenant can choose an Anthropic-shaped error instead", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "moderation", blockResponse: "error" });
    const err = (await client.messages
      .create({ model: "m", max_tokens: 64, messages: [{ role: "user", content: "nightjar" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toMatch(/test\.forbidden-word/);
  });

  it("a blocked stream ends with stop_reason refusal and the explanation, nothing of the match forwarded", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "moderation" });
    const said = "Here is the secret bird: night" + "jar, as requested.";
    const content = `[sim:say chunk=4 encoding=base64] ${b64(said)}`;
    const final = await client.messages
      .stream({ model: "m", max_tokens: 64, messages: [{ role: "user", content }] })
      .finalMessage();
    expect(final.stop_reason).toBe("refusal");
    const text = final.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(text.toLowerCase()).not.toContain("nightjar");
    expect(text).toMatch(/test\.forbidden-word/);
    expect(
      (final as unknown as { stop_details?: { explanation?: string } }).stop_details?.explanation,
    ).toMatch(/forbidden-word/);
  });
});

describe("a detector that fails", () => {
  it("fails closed: the request is blocked with an explanation saying the check failed", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "failclosed" });
    const before = candor.sim.stats.messageRequests;
    const { data: msg, response } = await client.messages
      .create(
        { model: "m", max_tokens: 64, messages: [{ role: "user", content: "harmless" }] },
        { headers: { "x-candor-session": "fail-closed" } },
      )
      .withResponse();
    expect(candor.sim.stats.messageRequests).toBe(before);
    expect(msg.stop_reason).toBe("refusal");
    expect(Number(response.headers.get("x-candor-interventions"))).toBeGreaterThan(0);
  });

  it("fails open: the request passes, and the failure is still recorded", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "failopen" });
    const before = candor.sim.stats.messageRequests;
    const { data: msg, response } = await client.messages
      .create({ model: "m", max_tokens: 64, messages: [{ role: "user", content: "harmless" }] })
      .withResponse();
    expect(candor.sim.stats.messageRequests).toBe(before + 1);
    expect(msg.stop_reason).toBe("end_turn");
    expect(Number(response.headers.get("x-candor-interventions"))).toBe(1);
  });

  it("a detector that times out fails closed too", async () => {
    const { client } = await candor.tenant(undefined, { policyId: "timeout" });
    const started = Date.now();
    const msg = await client.messages.create({
      model: "m",
      max_tokens: 64,
      messages: [{ role: "user", content: "harmless" }],
    });
    expect(msg.stop_reason).toBe("refusal");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
