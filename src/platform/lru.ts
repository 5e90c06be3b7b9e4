/**
 * A small least-recently-used map: what was asked lately stays, the oldest leaves once `size` entries are kept.
 * `StampedCache` adds a stamp (a data generation, a minute…): an entry kept under another stamp is stale.
 */
export class Lru<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }
}

export class StampedCache<V> {
  private readonly lru: Lru<{ stamp: string; value: V }>;

  constructor(size: number) {
    this.lru = new Lru(size);
  }

  get(key: string, stamp: string): V | undefined {
    const e = this.lru.get(key);
    return e && e.stamp === stamp ? e.value : undefined;
  }

  set(key: string, stamp: string, value: V): void {
    this.lru.set(key, { stamp, value });
  }
}
