import { benchConversation, manyRulesPolicy } from "./bench/policy-engine.ts";
import { extractSegments } from "./src/policy/extract.ts";
import { createPiiDetector } from "./src/policy/detectors/pii.ts";
import { createSecretsDetector } from "./src/policy/detectors/secrets.ts";
import { KeywordIndex, normalizeForKeywords } from "./src/policy/detectors/keywords.ts";
const conv = benchConversation();
const { segments } = extractSegments(conv);
console.log("segments", segments.length, segments.reduce((a, s) => a + s.text.length, 0));
function t(name: string, fn: (s: string) => unknown) {
  for (let i = 0; i < 3; i++) for (const s of segments) fn(s.text);
  const t0 = performance.now(); const N = 20;
  for (let i = 0; i < N; i++) for (const s of segments) fn(s.text);
  console.log(name, ((performance.now() - t0) / N).toFixed(3), "ms");
}
for (const k of ["card", "email", "phone", "iban", "ssn", "ip"] as const) { const d = createPiiDetector({ type: "pii", kinds: [k], default_country: "US" }); t(k, (s) => d.scan(s)); }
const sec = createSecretsDetector({ type: "secrets" }); t("secrets", (s) => sec.scan(s));
t("normalize", (s) => normalizeForKeywords(s, { leetspeak: true, confusables: true }));
t("extract", () => extractSegments(conv));
t("clone", () => structuredClone(conv));
