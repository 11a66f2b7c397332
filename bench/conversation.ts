/**
 * Multi-turn conversations through Candor, the way chat apps send them: every turn resends the whole history
 * plus one new user message. Used to check that storage per turn does not grow with the history's length.
 */
import { type ChatMessage, conversationBody, userMessage } from "./bodies.js";
import { keepAliveAgent, postMessages, type Target } from "./http-client.js";
import type { ReplyShape } from "./mock-upstream.js";

export interface ConversationRun {
  conversations: number;
  turnsEach: number;
  turns: number;
  errors: number;
  firstError: string | null;
  /** Session ids start with this (x-candor-session), so the stored rows can be found afterwards. */
  prefix: string;
}

/** Runs `conversations` conversations of `turnsEach` streamed turns each, one turn at a time. */
export async function runConversations(opts: {
  target: Target;
  shape: ReplyShape;
  conversations: number;
  turnsEach: number;
  prefix: string;
}): Promise<ConversationRun> {
  const agent = keepAliveAgent(1);
  let turns = 0;
  let errors = 0;
  let firstError: string | null = null;
  for (let c = 0; c < opts.conversations; c++) {
    const history: ChatMessage[] = [];
    const session = `${opts.prefix}${c}`;
    for (let t = 0; t < opts.turnsEach; t++) {
      history.push({ role: "user", content: userMessage() });
      const r = await postMessages({
        target: opts.target,
        body: conversationBody(opts.shape, history),
        agent,
        timeoutMs: 30_000,
        extraHeaders: { "x-candor-session": session },
      });
      if (r.error) {
        errors++;
        firstError ??= r.error;
        break; // the rest of this conversation would branch off a reply that was never stored
      }
      turns++;
      history.push({ role: "assistant", content: r.text });
    }
  }
  agent.destroy();
  return {
    conversations: opts.conversations,
    turnsEach: opts.turnsEach,
    turns,
    errors,
    firstError,
    prefix: opts.prefix,
  };
}
