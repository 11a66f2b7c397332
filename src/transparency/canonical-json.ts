/**
 * Deterministic JSON: object keys sorted by UTF-16 code units, no whitespace, `undefined` members
 * dropped. For the values records hold (strings, finite numbers, booleans, null, arrays, plain objects)
 * this is the RFC 8785 (JCS) form, so any JCS library in any language reproduces the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON: non-finite number");
      return JSON.stringify(value);
    case "object":
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical JSON: unsupported value of type ${typeof value}`);
  }
}

function canonicalArray(items: unknown[]): string {
  // JSON.stringify writes undefined array items as null; do the same so both agree.
  return `[${items.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
}

function canonicalObject(obj: Record<string, unknown>): string {
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError("canonical JSON: only plain objects are supported");
  }
  const members: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const member = obj[key];
    if (member === undefined) continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(",")}}`;
}
