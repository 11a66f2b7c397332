import { benchConversation } from "./bench/policy-engine.ts";
import { extractSegments } from "./src/policy/extract.ts";
const { segments } = extractSegments(benchConversation());
const texts = segments.map((s) => s.text);
function time(name: string, fn: (t: string) => boolean) { let n = 0; for (let i = 0; i < 10; i++) for (const t of texts) fn(t); const t0 = performance.now(); for (let k = 0; k < 50; k++) for (const t of texts) if (fn(t)) n++; console.log(name.padEnd(8), ((performance.now() - t0) / 50).toFixed(3), "ms", n / 50); }
const A = /sk-|A[KS]IA|aws_secret|gh[pousr]_|github_pat_|xox[abposr]-|AIza|_live_|eyJ|-----BEGIN/;
const B = new RegExp(A.source, "i");
const D = /[sA_xeg-]/;
const hints = ["sk-", "AKIA", "ASIA", "aws_secret", "AWS_SECRET", "_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "AIza", "_live_", "eyJ", "-----BEGIN"];
time("A", (t) => A.test(t)); time("B", (t) => B.test(t)); time("C", (t) => hints.some((h) => t.includes(h)));
const E = /(?:sk|gh[pousr]|xox[abposr]|github_pat|[sr]k_live)[-_]|A[KS]IA|aws_secret|AIza|eyJ|-----BEGIN/i; time("E", (t) => E.test(t));
import { numericClusters } from "./src/policy/detectors/clusters.ts";
{ const CL = /[+(]?\d(?:[\d .()/+-]*\d)?/g; time("cluster", (t) => { CL.lastIndex = 0; let n = 0; while (CL.exec(t)) n++; return n > 100; }); }
{ const CL = /\d[\d .()/+-]*/g; time("cluster2", (t) => { CL.lastIndex = 0; let n = 0; while (CL.exec(t)) n++; return n > 100; }); }
{ const CL = /\d{2}/g; time("d2", (t) => { CL.lastIndex = 0; let n = 0; while (CL.exec(t)) n++; return n > 100; }); }
