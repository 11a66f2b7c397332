import { benchConversation } from "./bench/policy-engine.ts";
import { createPolicyEngine } from "./src/policy/engine.ts";
import { loadPolicyFile } from "./src/policy/load.ts";
const p = await loadPolicyFile("policies/default.yaml");
const conv = benchConversation();
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 4000) { await createPolicyEngine(p).screenRequest(conv); n++; }
console.log((performance.now() - t0) / n, "ms");
