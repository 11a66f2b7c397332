/**
 * Policy engine benchmark. Run standalone: `npx tsx bench/policy-engine.ts` (prints a table).
 *
 * - defaultPolicyMBps: throughput of `screenRequest` with policies/default.yaml (no judge, so its llm_judge
 *   rules are inactive) over a ~100 KB conversation seen for the first time. Target ≥ 50 MB/s.
 * - defaultPolicyNextTurnMBps: the same conversation's next turn (history resent with one new message) on
 *   the same engine, whose findings for unchanged messages are cached.
 * - rules10 / rules100 / rules1000: ms per `screenRequest` of the same conversation under policies of that
 *   many regex + keyword rules. Should grow far less than 100× from 10 to 1,000.
 * - windowP99Ms: p99 time of one `OutputScreen.push` of a 1–20 character delta (default policy). Target ≤ 1 ms.
 */
import { fileURLToPath } from "node:url";
import { createPolicyEngine, type PolicyEngine } from "../src/policy/engine.js";
import { loadPolicyFile, parsePolicy } from "../src/policy/load.js";
import type { MessagesRequestLike } from "../src/policy/types.js";

export interface PolicyBenchResult {
  defaultPolicyMBps: number;
  /** The next turn of the same conversation (history resent, one new message), on a warm engine. */
  defaultPolicyNextTurnMBps: number;
  rules10: number;
  rules100: number;
  rules1000: number;
  windowP99Ms: number;
}

/** Deterministic PRNG (mulberry32), so every run screens the same text. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the a of to and in is it that for you with on as are this be at have from or one had by word but not what " +
  "all were we when your can said there use an each which she do how their if will up other about out many " +
  "then them these so some her would make like him into time has look two more write go see number no way " +
  "could people my than first water been call who oil its now find long down day did get come made may part " +
  "function return const value error request response model token stream policy server client session " +
  "database index query result config deploy version update release build test review merge branch"
).split(" ");

const CODE = [
  "```ts\nexport async function load(id: string): Promise<Row | undefined> {\n  const rows = await db.select().from(t).where(eq(t.id, id));\n  return rows[0];\n}\n```",
  "```python\nfor i, row in enumerate(rows):\n    if row['total'] > 1000:\n        print(f'{i}: {row}')\n```",
  '```json\n{"name": "candor", "version": "0.1.0", "port": 8787, "retries": 3}\n```',
];

function paragraph(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = WORDS[Math.floor(r() * WORDS.length)] ?? "word";
    if (i === 0 || out[out.length - 1]?.endsWith(".")) w = w[0]?.toUpperCase() + w.slice(1);
    const roll = r();
    if (roll < 0.02) w = String(Math.floor(r() * 100000));
    else if (roll < 0.03) w = `${(r() * 100).toFixed(2)}%`;
    else if (roll < 0.035) w = `2024-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
    out.push(r() < 0.08 ? `${w}.` : r() < 0.05 ? `${w},` : w);
  }
  return `${out.join(" ")}.`;
}

/** A realistic ~`bytes` conversation: prose, code, numbers, a tool round trip, a few e-mails and dates. */
export function benchConversation(bytes = 100_000): MessagesRequestLike {
  const r = rng(42);
  const messages: MessagesRequestLike["messages"] = [];
  let size = 0;
  for (let turn = 0; size < bytes; turn++) {
    const user = `${paragraph(r, 40 + Math.floor(r() * 60))}${turn % 7 === 3 ? " You can reach me at sam.lee@example.org." : ""}`;
    const reply = [paragraph(r, 150), CODE[turn % CODE.length] ?? "", paragraph(r, 120)].join("\n\n");
    messages.push({ role: "user", content: user });
    if (turn % 5 === 2) {
      messages.push({
        role: "assistant",
        content: [
          { type: "text", text: paragraph(r, 20) },
          {
            type: "tool_use",
            id: `toolu_${turn}`,
            name: "search",
            input: { query: paragraph(r, 8), limit: 10 },
          },
        ],
      });
      messages.push({
        role: "user",
        content: [{ type: "tool_result", tool_use_id: `toolu_${turn}`, content: paragraph(r, 120) }],
      });
    }
    messages.push({ role: "assistant", content: [{ type: "text", text: reply }] });
    size += user.length + reply.length;
  }
  messages.push({ role: "user", content: "Thanks! One more question about the deploy." });
  return {
    model: "claude-bench",
    max_tokens: 1024,
    system: "You are a helpful engineering assistant.",
    messages,
  };
}

/** A policy of `n` rules: half regex (each with a distinctive literal), half keyword lists. */
export function manyRulesPolicy(n: number) {
  const r = rng(7);
  const word = () => Array.from({ length: 7 }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join("");
  const rules = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? `  - { id: rx-${i}, stages: [input, output], detector: { type: regex, patterns: ['\\bticket-${i}-\\d{4}\\b'] }, hazard: custom, action: flag }`
      : `  - { id: kw-${i}, stages: [input, output], detector: { type: keywords, words: [${word()}, ${word()} ${word()}] }, hazard: custom, action: flag }`,
  );
  return parsePolicy(`id: many-${n}\nrules:\n${rules.join("\n")}\n`, `many-${n}.yaml`);
}

/**
 * ms per call of `fn`: the median over 10 batches (each ~minMs/10) after a warm-up, so the JIT has settled
 * and a scheduling hiccup on a busy machine does not decide the figure.
 */
async function timeIt(fn: () => Promise<unknown>, minMs: number): Promise<number> {
  const warm = performance.now();
  while (performance.now() - warm < minMs / 4) await fn();
  const batches: number[] = [];
  for (let b = 0; b < 10; b++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs / 10 || n < 2) {
      await fn();
      n++;
    }
    batches.push((performance.now() - t0) / n);
  }
  batches.sort((x, y) => x - y);
  return ((batches[4] ?? 0) + (batches[5] ?? 0)) / 2;
}

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

function windowSamples(engine: PolicyEngine, text: string, seed: number): number[] {
  const r = rng(seed);
  const screen = engine.createOutputScreen();
  const samples: number[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(r() * 20);
    const delta = text.slice(i, i + n);
    const t0 = performance.now();
    screen.push(0, "text", delta);
    samples.push(performance.now() - t0);
    i += n;
  }
  return samples;
}

export async function benchPolicyEngine(): Promise<PolicyBenchResult> {
  const conversation = benchConversation();
  const bytes = Buffer.byteLength(JSON.stringify(conversation));
  const defaultPolicy = await loadPolicyFile("policies/default.yaml");
  const defaultEngine = createPolicyEngine(defaultPolicy);
  // First sight: no cached findings, every text is scanned.
  const coldEngine = createPolicyEngine(defaultPolicy, { syncCache: false });
  const msDefault = await timeIt(() => coldEngine.screenRequest(conversation), 2000);

  let turn = 0;
  const msNextTurn = await timeIt(() => {
    const next = {
      ...conversation,
      messages: [...conversation.messages, { role: "user", content: `And #${turn++}?` }],
    };
    return defaultEngine.screenRequest(next);
  }, 1000);

  const perRules: number[] = [];
  for (const n of [10, 100, 1000]) {
    const engine = createPolicyEngine(manyRulesPolicy(n), { syncCache: false });
    perRules.push(await timeIt(() => engine.screenRequest(conversation), 1500));
  }

  const reply = benchConversation(60_000)
    .messages.map((m) => (typeof m.content === "string" ? m.content : ""))
    .join("\n");
  windowSamples(defaultEngine, reply.slice(0, 5000), 1); // warm-up
  const samples = [1, 2, 3].flatMap((seed) => windowSamples(defaultEngine, reply, seed));

  return {
    defaultPolicyMBps: bytes / 1e6 / (msDefault / 1000),
    defaultPolicyNextTurnMBps: bytes / 1e6 / (msNextTurn / 1000),
    rules10: perRules[0] ?? 0,
    rules100: perRules[1] ?? 0,
    rules1000: perRules[2] ?? 0,
    windowP99Ms: p99(samples),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchPolicyEngine();
  const rows: Array<[string, string, string]> = [
    [
      "screenRequest, default policy (~100 KB, first time)",
      `${r.defaultPolicyMBps.toFixed(1)} MB/s`,
      "≥ 50 MB/s",
    ],
    [
      "screenRequest, default policy, next turn",
      `${r.defaultPolicyNextTurnMBps.toFixed(1)} MB/s`,
      "history cached",
    ],
    ["screenRequest, 10 regex/keyword rules", `${r.rules10.toFixed(2)} ms`, ""],
    [
      "screenRequest, 100 rules",
      `${r.rules100.toFixed(2)} ms`,
      `×${(r.rules100 / r.rules10).toFixed(1)} vs 10`,
    ],
    [
      "screenRequest, 1,000 rules",
      `${r.rules1000.toFixed(2)} ms`,
      `×${(r.rules1000 / r.rules10).toFixed(1)} vs 10 (≪ 100)`,
    ],
    ["OutputScreen.push p99 (1–20 char deltas)", `${r.windowP99Ms.toFixed(3)} ms`, "≤ 1 ms"],
  ];
  const w = Math.max(...rows.map(([a]) => a.length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(12)}  ${c}`);
}
