import { benchConversation } from "./bench/policy-engine.ts";
import { extractSegments } from "./src/policy/extract.ts";
import { AhoCorasick } from "./src/policy/aho-corasick.ts";
const { segments } = extractSegments(benchConversation());
const texts = segments.map((s) => s.text);
const total = texts.reduce((a, t) => a + t.length, 0);
function time(name: string, fn: () => number) { for (let i = 0; i < 20; i++) fn(); const t0 = performance.now(); let x = 0; for (let k = 0; k < 100; k++) x += fn(); const ms = (performance.now() - t0) / 100; console.log(name, ms.toFixed(3), "ms", (ms * 1e6 / total).toFixed(2), "ns/char", x > 0 ? "" : "-"); }
time("charCodeAt sum", () => { let s = 0; for (const t of texts) for (let i = 0; i < t.length; i++) s += t.charCodeAt(i); return s; });
const delta = new Int32Array(64 * 128);
time("table walk", () => { let s = 0; let acc = 0; for (const t of texts) for (let i = 0; i < t.length; i++) { const c = t.charCodeAt(i); s = delta[(s << 7) | (c & 127)] as number; acc += s; } return acc + 1; });
const ac = new AhoCorasick(["sk-", "akia", "asia", "aws_secret", "ghp_", "gho_", "github_pat_", "xox", "aiza", "_live_", "eyj", "-----begin"], { foldCase: true });
time("ac.scan", () => { let n = 1; for (const t of texts) ac.scan(t, () => { n++; }); return n; });
