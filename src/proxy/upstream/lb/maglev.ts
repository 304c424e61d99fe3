/**
 * Envoy's `MAGLEV` (Eisenbud et al., section 3.4, with weights): a lookup table of a prime size
 * (65537 by default) that each host fills along its own permutation (offset and skip from two
 * hashes of its key) in turns proportional to its share, every host getting at least one turn while
 * the table has room. A request goes to `table[hash % size]`. Builds and lookups are faster than the
 * ring's; removing a host moves a little more than its own keys.
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { hash53 } from './hash.js';
import { HashingLoadBalancer, type HashTable, type WeightedHost } from './hashing-balancer.js';
import { DEFAULT_LB_CONFIG, type LbConfig } from './lb-config.js';

export class MaglevLoadBalancer extends HashingLoadBalancer {
  constructor(hosts: HostSet, cfg: LbConfig = { ...DEFAULT_LB_CONFIG, policy: 'MAGLEV' }) {
    super(hosts, cfg);
    this.refresh();
  }

  protected buildTable(hosts: WeightedHost[]): HashTable {
    return new MaglevTable(hosts, this.cfg.maglevTableSize);
  }
}

const EMPTY = 0xffffffff;

export class MaglevTable implements HashTable {
  private readonly table: Uint32Array;
  private readonly hosts: UpstreamHost[];
  readonly entriesPerHost: ReadonlyMap<UpstreamHost, number>;

  constructor(weighted: readonly WeightedHost[], readonly size: number) {
    // Sorted by key, so the table does not depend on the order endpoints arrive in.
    const entries = [...weighted]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((w) => {
        const offset = hash53(w.key, 0) % size;
        const skip = (hash53(w.key, 1) % (size - 1)) + 1;
        return { w, pos: offset, skip };
      });
    this.hosts = entries.map((e) => e.w.host);
    const n = entries.length;
    const pos = new Int32Array(n);
    const skip = new Int32Array(n);
    const share = new Float64Array(n);
    const target = new Float64Array(n);
    const count = new Int32Array(n);
    let maxShare = 0;
    entries.forEach((e, i) => {
      pos[i] = e.pos;
      skip[i] = e.skip;
      share[i] = e.w.weight;
      if (e.w.weight > maxShare) maxShare = e.w.weight;
    });
    const table = new Uint32Array(size).fill(EMPTY);
    let filled = 0;
    if (n > 0 && maxShare > 0) {
      for (let iteration = 1; filled < size; iteration++) {
        for (let i = 0; i < n && filled < size; i++) {
          // A host with the largest share takes a slot every turn; one with a third of it, every third turn.
          if (iteration * share[i]! < target[i]!) continue;
          target[i]! += maxShare;
          let p = pos[i]!;
          const step = skip[i]!;
          while (table[p] !== EMPTY) {
            p += step;
            if (p >= size) p -= size;
          }
          table[p] = i;
          p += step;
          if (p >= size) p -= size;
          pos[i] = p;
          count[i]!++;
          filled++;
        }
      }
    }
    this.table = table;
    this.entriesPerHost = new Map(entries.map((e, i) => [e.w.host, count[i]!]));
  }

  chooseHost(hash: number): UpstreamHost | null {
    if (this.hosts.length === 0) return null;
    return this.hosts[this.table[hash % this.size]!]!;
  }
}
