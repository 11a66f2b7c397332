import { benchConversation } from "./bench/policy-engine.ts";
import { extractSegments } from "./src/policy/extract.ts";
const { segments } = extractSegments(benchConversation());
const texts = segments.map((s) => s.text);
function bench(name: string, re: RegExp) {
  let n = 0;
  for (let w = 0; w < 5; w++) for (const t of texts) { re.lastIndex = 0; while (re.exec(t)) n++; }
  const t0 = performance.now();
  for (let k = 0; k < 50; k++) for (const t of texts) { re.lastIndex = 0; while (re.exec(t)) n++; }
  console.log(name.padEnd(12), ((performance.now() - t0) / 50).toFixed(3), "ms", n / 55);
}
bench("card", /(?<![\d-])\d(?:[ -]?\d){12,22}(?!\d)/g);
bench("card2", /\d(?<![\d-]\d)(?:[ -]?\d){12,22}(?!\d)/g);
bench("card3", /\d{1,4}(?:[ -]?\d){9,21}\d/g);
bench("cardplain", /\d[\d -]{11,30}\d/g);
bench("phone", /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d[\d .-]{5,16}\d(?!\w)/g);
bench("phone2", /[+(\d][\d .()+-]{6,22}\d/g);
bench("ssn", /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g);
bench("ssn2", /\d{3}[- ]\d{2}[- ]\d{4}/g);
bench("iban", /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g);
bench("iban2", /[A-Z]{2}\d{2}[ A-Z0-9]{11,40}/g);
bench("digit", /\d/g);
bench("digits7", /\d[\d .()+-]{5,}\d/g);
bench("hints", /sk-|A[KS]IA|aws_secret|gh[pousr]_|github_pat_|xox[abposr]-|AIza|_live_|eyJ|-----BEGIN/gi);
bench("hintsCS", /sk-|A[KS]IA|aws_secret|gh[pousr]_|github_pat_|xox[abposr]-|AIza|_live_|eyJ|-----BEGIN/g);
{
  const hints = ["sk-ant-", "sk-", "AKIA", "ASIA", "aws_secret", "gh", "github_pat_", "xox", "AIza", "_live_", "eyJ", "-----BEGIN"];
  const t0 = performance.now(); let n = 0;
  for (let k = 0; k < 50; k++) for (const t of texts) for (const h of hints) if (t.includes(h)) n++;
  console.log("includes", ((performance.now() - t0) / 50).toFixed(3), n / 50);
}
import { AhoCorasick } from "./src/policy/aho-corasick.ts";
{
  const ac = new AhoCorasick(["sk-", "akia", "asia", "aws_secret", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "aiza", "_live_", "eyj", "-----begin"], { foldCase: true });
  for (const t of texts) ac.present(t);
  const t0 = performance.now(); let n = 0;
  for (let k = 0; k < 50; k++) for (const t of texts) { const p = ac.present(t); n += p[0]; }
  console.log("ac", ((performance.now() - t0) / 50).toFixed(3), n / 50);
}
{ const re = /[-_]/g; const t0 = performance.now(); let n = 0;
  for (let k = 0; k < 50; k++) for (const t of texts) { re.lastIndex = 0; while (re.exec(t)) n++; }
  console.log("dashunderscore", ((performance.now() - t0) / 50).toFixed(3), n / 50); }
