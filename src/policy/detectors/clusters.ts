/**
 * Runs of digits and number punctuation ("+1 (415) 555-2671", "4111 1111 1111 1111 12/27", "10.0.0.1"),
 * found in one pass and shared by the card, SSN, phone and IP finders: each then runs its own regex only
 * inside clusters with enough digits, instead of over the whole text.
 */

export interface Cluster {
  start: number;
  end: number;
  digits: number;
}

const CLUSTER = /\d[\d .()/+-]*/g;

let memo: { text: string; clusters: Cluster[] } | undefined;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (isDigit(s.charCodeAt(i))) n++;
  return n;
}

/** Numeric clusters of `text`; the last text's result is reused (several pii rules scan the same text). */
export function numericClusters(text: string): Cluster[] {
  if (memo && memo.text === text) return memo.clusters;
  const clusters: Cluster[] = [];
  CLUSTER.lastIndex = 0;
  for (let m = CLUSTER.exec(text); m !== null; m = CLUSTER.exec(text)) {
    if (m[0].length < 4) continue;
    // A leading "+" or "(" belongs to the number; trailing punctuation does not.
    let start = m.index;
    while (start > 0 && (text[start - 1] === "+" || text[start - 1] === "(")) start--;
    let end = m.index + m[0].length;
    while (end > start && !isDigit(text.charCodeAt(end - 1))) end--;
    clusters.push({ start, end, digits: countDigits(m[0]) });
  }
  memo = { text, clusters };
  return clusters;
}

/**
 * Runs a global regex inside every cluster having at least `minDigits` digits. The regex sees one character
 * of context on each side, so its look-behinds and look-aheads judge the real neighbours. Match indexes are
 * reported in `text` coordinates.
 */
export function eachInClusters(
  re: RegExp,
  text: string,
  minDigits: number,
  fn: (m: RegExpExecArray, at: number) => void,
): void {
  for (const c of numericClusters(text)) {
    if (c.digits < minDigits) continue;
    const from = Math.max(0, c.start - 1);
    const sub = text.slice(from, Math.min(text.length, c.end + 1));
    re.lastIndex = 0;
    for (let m = re.exec(sub); m !== null; m = re.exec(sub)) fn(m, from + m.index);
  }
}
