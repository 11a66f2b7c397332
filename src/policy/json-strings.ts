/**
 * Where the JSON string values are in (possibly partial) JSON text, fed incrementally as a tool call's
 * `input_json_delta`s arrive. A redaction marker may replace a range only when the whole range is inside
 * one string value and cuts no escape sequence in two: then the result is still valid JSON.
 */

const OUTSIDE = 0;
/** A string character where a range may begin or end (an ordinary char, or the backslash of an escape). */
const STARTS = 1;
/** Inside an escape sequence (after its backslash): a range must not begin or end here. */
const INSIDE_ESCAPE = 2;

export class JsonStringMap {
  private cls = new Uint8Array(256);
  private length = 0;
  private inString = false;
  /** The previous character was the backslash of an escape. */
  private afterBackslash = false;
  /** Hex digits still to come of a \uXXXX escape. */
  private hexLeft = 0;

  feed(chunk: string): void {
    if (this.length + chunk.length > this.cls.length) {
      const grown = new Uint8Array(Math.max(this.cls.length * 2, this.length + chunk.length));
      grown.set(this.cls.subarray(0, this.length));
      this.cls = grown;
    }
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      let c = OUTSIDE;
      if (!this.inString) {
        if (ch === 34) this.inString = true;
      } else if (this.afterBackslash) {
        c = INSIDE_ESCAPE;
        this.afterBackslash = false;
        if (ch === 117) this.hexLeft = 4;
      } else if (this.hexLeft > 0) {
        c = INSIDE_ESCAPE;
        this.hexLeft--;
      } else if (ch === 92) {
        c = STARTS;
        this.afterBackslash = true;
      } else if (ch === 34) {
        this.inString = false;
      } else c = STARTS;
      this.cls[this.length++] = c;
    }
  }

  /** Whether [start, end) lies inside one string value without cutting an escape sequence. */
  safeRange(start: number, end: number): boolean {
    if (start < 0 || end > this.length || start >= end) return false;
    if (this.cls[start] !== STARTS) return false;
    for (let i = start + 1; i < end; i++) if (this.cls[i] === OUTSIDE) return false;
    if (end === this.length) return this.inString && !this.afterBackslash && this.hexLeft === 0;
    return this.cls[end] !== INSIDE_ESCAPE;
  }
}

/** The whole-text version: a map over `json`. */
export function jsonStringMap(json: string): JsonStringMap {
  const m = new JsonStringMap();
  m.feed(json);
  return m;
}
