/** The simulated model in-process, with the official SDK pointed at it (no port). */
import Anthropic from "@anthropic-ai/sdk";
import { createSimulatedModel } from "../../src/simulated/index.js";

export function setup() {
  const model = createSimulatedModel();
  const client = new Anthropic({
    apiKey: "x",
    baseURL: "http://sim.local",
    fetch: model.fetch,
    maxRetries: 0,
  });
  return { model, client };
}

/** A one-message request. */
export const ask = (text: string) => ({
  model: "claude-sim-1",
  max_tokens: 64,
  messages: [{ role: "user" as const, content: text }],
});

export function textOf(message: Anthropic.Message): string {
  return message.content.map((b) => (b.type === "text" ? b.text : "")).join("");
}
