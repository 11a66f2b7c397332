import { benchConversation } from "./bench/policy-engine.ts";
import { extractSegments } from "./src/policy/extract.ts";
const texts = extractSegments(benchConversation()).segments.map((s) => s.text);
console.log("nonascii segs", texts.filter((t) => /[^\x00-\x7f]/.test(t)).length);
function time(name: string, fn: (t: string) => unknown) { for (let i = 0; i < 20; i++) for (const t of texts) fn(t); const t0 = performance.now(); for (let i = 0; i < 30; i++) for (const t of texts) fn(t); console.log(name.padEnd(10), ((performance.now() - t0) / 30).toFixed(3)); }
time("test", (t) => /[^\x00-\x7f]/.test(t));
time("lower", (t) => t.toLowerCase());
time("ctrl", (t) => t.replace(/[\t\n\v\f\r]/g, " "));
const L: Record<string, string> = { "@": "a", "4": "a", "(": "c", "3": "e", "6": "g", "!": "i", "|": "i", "1": "i", "/": "l", "0": "o", "$": "s", "5": "s", "7": "t", "2": "z" };
time("leetcb", (t) => t.replace(/[@4(36!|1/0$572]/g, (c) => L[c] ?? c));
const pairs: Array<[RegExp, string]> = [[/[@4]/g, "a"], [/\(/g, "c"], [/3/g, "e"], [/6/g, "g"], [/[!|1]/g, "i"], [/\//g, "l"], [/0/g, "o"], [/[$5]/g, "s"], [/7/g, "t"], [/2/g, "z"]];
time("leetmulti", (t) => { let s = t; for (const [re, r] of pairs) s = s.replace(re, r); return s; });
