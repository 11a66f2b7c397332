/**
 * The content-addressed message chain (pure). A message's id is H(session, parent, role, canonical(content)),
 * so a request's `messages` array maps to a chain whose longest stored prefix is found by id lookups alone.
 */
import { createHash } from "node:crypto";

export type Role = "system" | "user" | "assistant";

export interface ChainNode {
  id: string;
  parentId: string | null;
  role: Role;
  /** The content as the client sent it (stored the first time it is seen). */
  content: unknown;
  contentHash: string;
  depth: number;
}

/**
 * Canonical form for hashing: the meaning of the content, not its spelling. A string and a single text block are
 * the same message; `cache_control` moves between turns (prompt caching) and null-valued keys come and go between
 * what the API returns and what apps resend, so neither may create a false branch.
 */
export function canonicalContent(content: unknown): unknown {
  const blocks = typeof content === "string" ? [{ type: "text", text: content }] : content;
  return canonicalValue(blocks, true);
}

function canonicalValue(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalValue(v, false));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === null || v === undefined || key === "cache_control") continue;
      out[key] = canonicalValue(v, false);
    }
    return out;
  }
  return top && value === undefined ? null : value;
}

/** Deterministic JSON with sorted keys (canonicalValue already sorted them). */
export function canonicalJson(content: unknown): string {
  return JSON.stringify(canonicalContent(content)) ?? "null";
}

export function contentHash(content: unknown): string {
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}

export function messageId(sessionPk: string, parentId: string | null, role: Role, hash: string): string {
  const h = createHash("sha256")
    .update(`${sessionPk}\n${parentId ?? ""}\n${role}\n${hash}`)
    .digest("base64url");
  return `msg_${h.slice(0, 32)}`;
}

/** Build a node under `parent`. */
export function makeNode(
  sessionPk: string,
  parent: ChainNode | null,
  role: Role,
  content: unknown,
): ChainNode {
  const hash = contentHash(content);
  return {
    id: messageId(sessionPk, parent?.id ?? null, role, hash),
    parentId: parent?.id ?? null,
    role,
    content,
    contentHash: hash,
    depth: parent ? parent.depth + 1 : 0,
  };
}

/**
 * The chain of a request: a system root (content null without a system prompt), then every message in order.
 * Only roles user/assistant are valid in `messages`; the caller validated that.
 */
export function chainOf(
  sessionPk: string,
  system: unknown,
  messages: ReadonlyArray<{ role: string; content: unknown }>,
): ChainNode[] {
  const root = makeNode(sessionPk, null, "system", system ?? null);
  const chain = [root];
  let parent = root;
  for (const m of messages) {
    parent = makeNode(sessionPk, parent, m.role === "assistant" ? "assistant" : "user", m.content);
    chain.push(parent);
  }
  return chain;
}

/** The derived session id: stable for one end user's conversation that starts with the same first message. */
export function derivedSessionId(tenantId: string, endUser: string | null, firstMessage: unknown): string {
  const h = createHash("sha256")
    .update(`${tenantId}\n${endUser ?? ""}\n${canonicalJson(firstMessage)}`)
    .digest("base64url");
  return `ses_${h.slice(0, 24)}`;
}
