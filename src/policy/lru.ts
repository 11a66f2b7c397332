/**
 * A small bounded least-recently-used map (Map keeps insertion order, so the first key is the oldest).
 * Bounded by entry count and, optionally, by a total weight (e.g. the characters of string keys).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private weight = 0;

  constructor(
    private readonly max: number,
    private readonly opts: { weigh?: (key: K) => number; maxWeight?: number } = {},
  ) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    this.weight += this.opts.weigh?.(key) ?? 0;
    const maxWeight = this.opts.maxWeight ?? Number.POSITIVE_INFINITY;
    while (this.map.size > this.max || (this.weight > maxWeight && this.map.size > 0)) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    if (this.map.delete(key)) this.weight -= this.opts.weigh?.(key) ?? 0;
  }

  get size(): number {
    return this.map.size;
  }
}
