/** Redaction: replacing matched ranges by `[redacted: <label>]` markers. */

export interface Redaction {
  start: number;
  end: number;
  label: string;
  /** Continues a marker already emitted (a streamed match that kept growing): removed without a new marker. */
  silent?: boolean;
}

/** The marker that replaces a redacted range. */
export function redactionMarker(label: string): string {
  return `[redacted: ${label}]`;
}

/** The marker as it must appear inside a JSON string value. */
export function jsonMarker(label: string): string {
  return JSON.stringify(redactionMarker(label)).slice(1, -1);
}

/** Sorted, with overlapping or touching ranges merged (the first range's label names the merged one). */
export function mergeRedactions(list: readonly Redaction[]): Redaction[] {
  const sorted = [...list].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Redaction[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
      if (!r.silent && last.silent) {
        last.silent = false;
        last.label = r.label;
      }
    } else out.push({ ...r });
  }
  return out;
}

/**
 * `text` with each range replaced by its marker. `json: true` escapes the marker for a JSON string value.
 * `offset`: where `text` starts in the coordinates of the ranges (ranges are clipped to it).
 */
export function applyRedactions(
  text: string,
  list: readonly Redaction[],
  opts: { json?: boolean; offset?: number } = {},
): string {
  const offset = opts.offset ?? 0;
  let out = "";
  let at = 0;
  for (const r of mergeRedactions(list)) {
    const s = Math.max(r.start - offset, at);
    const e = Math.min(r.end - offset, text.length);
    if (e <= s) continue;
    out += text.slice(at, s);
    if (!r.silent) out += opts.json ? jsonMarker(r.label) : redactionMarker(r.label);
    at = e;
  }
  return out + text.slice(at);
}
