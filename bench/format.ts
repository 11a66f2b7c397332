/** Number formatting and plain-text tables for the bench's report. */
import { round } from "./stats.js";

/** scenario, direct, via the proxy, ratio or added ms. */
export type Row = [string, string, string, string];

export const f = (v: number, unit = ""): string =>
  Number.isFinite(v) ? `${round(v).toLocaleString("en-US")}${unit}` : "n/a";

/** candor − direct, in ms. */
export const added = (c: number, d: number): string =>
  Number.isFinite(c - d) ? `${c - d >= 0 ? "+" : ""}${f(c - d)} ms` : "n/a";

/** candor / direct; two significant digits below 0.1, so 0.014× does not print as 0.01×. */
export const ratio = (c: number, d: number): string => {
  if (!(d > 0) || !Number.isFinite(c)) return "n/a";
  const r = c / d;
  return `${r < 0.1 ? Number(r.toPrecision(2)) : round(r)}×`;
};

export function formatTable(title: string, header: Row, rows: Row[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r: Row) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [title, line(header), rule, ...rows.map(line)].join("\n");
}
