/**
 * Envoy's `RING_HASH` (ketama): each host is hashed onto a circle of 53-bit positions
 * (`<key>_0`, `<key>_1`, …) a number of times proportional to its share; a request goes to the first
 * position at or after its hash, wrapping around. The ring has
 * `min(ceil(smallest share × minimum_ring_size) / smallest share, maximum_ring_size)` entries, so the
 * smallest host still gets about `minimum_ring_size × share` of them. Removing one of N hosts moves only
 * the keys that were on it (about 1/N).
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { hash53 } from './hash.js';
import { HashingLoadBalancer, type HashTable, type WeightedHost } from './hashing-balancer.js';
import { DEFAULT_LB_CONFIG, type LbConfig } from './lb-config.js';

export class RingHashLoadBalancer extends HashingLoadBalancer {
  constructor(hosts: HostSet, cfg: LbConfig = { ...DEFAULT_LB_CONFIG, policy: 'RING_HASH' }) {
    super(hosts, cfg);
    this.refresh();
  }

  protected buildTable(hosts: WeightedHost[]): HashTable {
    return new Ring(hosts, this.cfg.minRingSize, this.cfg.maxRingSize);
  }
}

export class Ring implements HashTable {
  /** Sorted positions. */
  private readonly positions: Float64Array;
  /** The host index of each position. */
  private readonly owners: Uint32Array;
  private readonly hosts: UpstreamHost[];
  /** Entries per host (for tests and the admin page). */
  readonly entriesPerHost: ReadonlyMap<UpstreamHost, number>;

  constructor(weighted: readonly WeightedHost[], minRingSize: number, maxRingSize: number) {
    let minShare = 1;
    for (const w of weighted) if (w.weight < minShare) minShare = w.weight;
    const scale = Math.min(Math.ceil(minShare * minRingSize) / minShare, maxRingSize);
    const size = Math.ceil(scale);
    const rawPositions = new Float64Array(size + weighted.length);
    const rawOwners = new Uint32Array(size + weighted.length);
    this.hosts = weighted.map((w) => w.host);
    const counts = new Map<UpstreamHost, number>();
    // Running totals across hosts, so rounding never adds up to more than the ring size.
    let current = 0;
    let target = 0;
    let n = 0;
    weighted.forEach((w, index) => {
      target += scale * w.weight;
      let i = 0;
      while (current < target && n < rawPositions.length) {
        rawPositions[n] = hash53(`${w.key}_${i}`);
        rawOwners[n] = index;
        n++;
        i++;
        current++;
      }
      counts.set(w.host, (counts.get(w.host) ?? 0) + i);
    });
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => rawPositions[a]! - rawPositions[b]! || rawOwners[a]! - rawOwners[b]!);
    this.positions = new Float64Array(n);
    this.owners = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      this.positions[i] = rawPositions[order[i]!]!;
      this.owners[i] = rawOwners[order[i]!]!;
    }
    this.entriesPerHost = counts;
  }

  get size(): number {
    return this.positions.length;
  }

  chooseHost(hash: number): UpstreamHost | null {
    const p = this.positions;
    const n = p.length;
    if (n === 0) return null;
    // First position >= hash; past the last one wraps to the first.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.hosts[this.owners[lo === n ? 0 : lo]!]!;
  }
}
