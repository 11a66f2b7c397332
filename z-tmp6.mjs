const texts = []; for (let i = 0; i < 141; i++) { let s = ""; while (s.length < 780) s += "Hello there friend, the value is 42 and the model said ok. "; texts.push(s); }
const table = new Int32Array(128); for (let c = 0; c < 128; c++) table[c] = c >= 65 && c <= 90 ? c + 32 : c;
function norm(text) {
  const out = new Uint16Array(text.length * 2); const start = new Int32Array(text.length * 2 + 1); const end = new Int32Array(text.length * 2 + 1);
  let k = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 128 && c !== 32) { out[k] = table[c]; start[k] = i; end[k++] = ++i; continue; }
    if (k > 0 && out[k - 1] === 32) end[k - 1] = i + 1; else { out[k] = 32; start[k] = i; end[k++] = i + 1; }
    i++;
  }
  return k;
}
function norm2(text) {
  const n = text.length; const out = new Uint16Array(n); const start = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i < n; i++) { const c = text.charCodeAt(i); out[k] = table[c & 127]; start[k++] = i; }
  return k;
}
for (const f of [norm, norm2]) { for (let i = 0; i < 50; i++) for (const t of texts) f(t); const t0 = performance.now(); for (let i = 0; i < 50; i++) for (const t of texts) f(t); console.log(f.name, (performance.now() - t0) / 50); }
