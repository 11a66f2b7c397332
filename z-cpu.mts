import { benchConversation } from "./bench/policy-engine.ts";
import { createPolicyEngine } from "./src/policy/engine.ts";
import { loadPolicyFile } from "./src/policy/load.ts";
const p = await loadPolicyFile("policies/default.yaml");
const conv = benchConversation();
const bytes = Buffer.byteLength(JSON.stringify(conv));
for (let i = 0; i < 30; i++) await createPolicyEngine(p).screenRequest(conv);
const c0 = process.cpuUsage(); const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 3000) { await createPolicyEngine(p).screenRequest(conv); n++; }
const cpu = process.cpuUsage(c0); const ms = (cpu.user + cpu.system) / 1000 / n;
console.log("cpu ms/screen", ms.toFixed(3), "→", (bytes / 1e6 / (ms / 1000)).toFixed(1), "MB/s (cpu)", "wall", ((performance.now() - t0) / n).toFixed(3));
