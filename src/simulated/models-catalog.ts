/**
 * The model ids the simulated upstream offers, in the shape of Anthropic's `GET /v1/models`.
 */

/** One entry of `GET /v1/models`, in Anthropic's ModelInfo shape. */
export interface SimulatedModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  deprecated_at: null;
  retires_at: null;
  lifecycle: "active";
  line: null;
  capabilities: null;
  max_input_tokens: number;
  max_tokens: number;
}

function info(id: string, display_name: string, created_at: string): SimulatedModelInfo {
  return {
    type: "model",
    id,
    display_name,
    created_at,
    deprecated_at: null,
    retires_at: null,
    lifecycle: "active",
    line: null,
    capabilities: null,
    max_input_tokens: 200_000,
    max_tokens: 64_000,
  };
}

/** Newest first, as Anthropic lists them. Any model id is accepted by `POST /v1/messages`. */
export const SIMULATED_MODELS: readonly SimulatedModelInfo[] = [
  info("claude-sim-1", "Claude Simulated 1", "2026-01-01T00:00:00Z"),
  info("claude-opus-4-8", "Claude Opus 4.8", "2025-12-01T00:00:00Z"),
  info("claude-sonnet-4-5", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
  info("claude-haiku-4-5", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"),
];

/** One page of the list, following Anthropic's `limit` / `after_id` / `before_id` cursor rules. */
export function listModels(query: { limit?: string; after_id?: string; before_id?: string }) {
  const parsed = Number(query.limit ?? 20);
  const limit = Number.isInteger(parsed) ? Math.min(1000, Math.max(1, parsed)) : 20;
  let candidates = [...SIMULATED_MODELS];
  if (query.after_id) candidates = candidates.slice(candidates.findIndex((m) => m.id === query.after_id) + 1);
  let page: SimulatedModelInfo[];
  if (query.before_id) {
    const end = candidates.findIndex((m) => m.id === query.before_id);
    candidates = end >= 0 ? candidates.slice(0, end) : candidates;
    page = candidates.slice(Math.max(0, candidates.length - limit));
  } else {
    page = candidates.slice(0, limit);
  }
  return {
    data: page,
    has_more: page.length < candidates.length,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
  };
}
