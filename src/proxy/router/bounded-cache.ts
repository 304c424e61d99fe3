/**
 * A size-bounded map for lookups keyed by client input (Host header → virtual host, …). When full,
 * the oldest insertion is evicted, so an attacker cycling through Host values costs a bounded amount
 * of memory and a cache miss, never a leak (STYLE 11).
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
