/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by area (a package under
 * node_modules, a Candor source file, Node internals, GC), so the hot spots can be read without a UI.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  functions: HotSpot[];
  areas: HotSpot[];
  /** Candor's own functions by inclusive time (self + callees): which stage costs what. */
  candorInclusive: HotSpot[];
  /** Self time charged to the nearest package or Candor file on the stack (Node internals and V8 natives
   *  are charged to whoever called them): who causes the time, rather than where it is spent. */
  attributed: HotSpot[];
}

/** Where a frame lives: `pkg:<name>` for dependencies, `src/…` for Candor, else the URL kind. */
export function areaOf(url: string, root: string): string {
  if (url === "") return "(native/V8)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `pkg:${nm[1]}`;
  if (url.startsWith("node:")) return "node:internal";
  return candorPath(url, root) ?? url;
}

/** `src/…` for a Candor source or compiled file (repo, dist/ or a temporary build), else null. */
function candorPath(url: string, root: string): string | null {
  const m = /\/(?:dist\/)?(src\/.+)$/.exec(url);
  if (!m || url.includes("/node_modules/")) return null;
  return url.startsWith(`file://${root}/`) || url.includes("/dist/src/") ? (m[1] ?? null) : null;
}

/** A frame's file, short: the path inside its package for dependencies, `src/…` for Candor. */
function fileOf(url: string, root: string): string {
  const nm = /node_modules\/(.+)$/.exec(url);
  if (nm) return nm[1] ?? url;
  return candorPath(url, root) ?? url.replace(/^node:/, "");
}

function top(map: Map<string, { where: string; ms: number }>, total: number, n: number): HotSpot[] {
  return [...map.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, n)
    .map(([name, v]) => ({ name, where: v.where, selfMs: v.ms, selfPct: (100 * v.ms) / total }));
}

export function summarizeProfile(path: string, root: string, n = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const samples = profile.samples?.length ?? profile.nodes.reduce((s, x) => s + (x.hitCount ?? 0), 0);
  const perSample = samples > 0 ? totalMs / samples : 0;
  const byFn = new Map<string, { where: string; ms: number }>();
  const byArea = new Map<string, { where: string; ms: number }>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, root);
    const where = url ? `${fileOf(url, root)}:${lineNumber + 1}` : area;
    const key = `${functionName || "(anonymous)"} ${where}`;
    const ms = hits * perSample;
    const fn = byFn.get(key) ?? { where, ms: 0 };
    fn.ms += ms;
    byFn.set(key, fn);
    const a = byArea.get(area) ?? { where: area, ms: 0 };
    a.ms += ms;
    byArea.set(area, a);
  }
  const candorInclusive = top(inclusiveByCandorFunction(profile, root, perSample), totalMs, n);
  const attributed = top(attributeToCaller(profile, root, perSample), totalMs, n);
  return {
    totalMs,
    samples,
    functions: top(byFn, totalMs, n),
    areas: top(byArea, totalMs, n),
    candorInclusive,
    attributed,
  };
}

function attributeToCaller(profile: CpuProfile, root: string, perSample: number) {
  const parent = new Map<number, number>();
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const out = new Map<string, { where: string; ms: number }>();
  for (const node of profile.nodes) {
    if (!node.hitCount) continue;
    let area = areaOf(node.callFrame.url, root);
    for (
      let cur = parent.get(node.id);
      cur !== undefined && (area === "node:internal" || area === "(native/V8)");
      cur = parent.get(cur)
    ) {
      const up = byId.get(cur);
      if (!up || up.callFrame.url === "") continue;
      area = areaOf(up.callFrame.url, root);
    }
    const label = area === "(native/V8)" ? `(native/V8) ${node.callFrame.functionName}` : area;
    const e = out.get(label) ?? { where: area, ms: 0 };
    e.ms += node.hitCount * perSample;
    out.set(label, e);
  }
  return out;
}

/** Inclusive time of each Candor function, counted once per stack (recursion is not double-counted). */
function inclusiveByCandorFunction(profile: CpuProfile, root: string, perSample: number) {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const inclusive = new Map<number, number>();
  const total = (id: number): number => {
    const known = inclusive.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const v = (node?.hitCount ?? 0) * perSample + (node?.children ?? []).reduce((s, c) => s + total(c), 0);
    inclusive.set(id, v);
    return v;
  };
  const out = new Map<string, { where: string; ms: number }>();
  const visit = (id: number, onPath: Set<string>) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = candorPath(url, root);
    let key: string | null = null;
    if (file) {
      key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
      if (!onPath.has(key)) {
        const e = out.get(key) ?? { where: file, ms: 0 };
        e.ms += total(id);
        out.set(key, e);
      } else key = null;
    }
    if (key) onPath.add(key);
    for (const c of node.children ?? []) visit(c, onPath);
    if (key) onPath.delete(key);
  };
  const first = profile.nodes[0];
  if (first) visit(first.id, new Set());
  return out;
}

export function formatProfile(s: ProfileSummary): string {
  const line = (h: HotSpot) =>
    `  ${h.selfPct.toFixed(1).padStart(5)}%  ${h.selfMs.toFixed(0).padStart(6)} ms  ${h.name}`;
  return [
    `CPU profile: ${s.totalMs.toFixed(0)} ms, ${s.samples} samples`,
    "Self time by area:",
    ...s.areas.slice(0, 15).map(line),
    "Self time charged to the nearest package / Candor file on the stack:",
    ...s.attributed.slice(0, 15).map(line),
    "Self time by function:",
    ...s.functions.map(line),
    "Candor functions by inclusive time (self + callees):",
    ...s.candorInclusive.map(line),
  ].join("\n");
}
