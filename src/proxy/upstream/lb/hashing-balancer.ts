/**
 * The common half of the consistent-hashing balancers (ring hash, maglev), Envoy's "thread aware"
 * base: on every host set refresh it rebuilds, per priority level, a lookup table over the level's
 * usable hosts (all of its hosts in panic) with each host's share of the level — its weight, scaled by
 * its locality's weight when locality weighting is on. A request's hash then picks the level
 * (`hash % 100` against the priority loads) and the host in that level's table, so a key stays on its
 * host while the hosts are stable. A request without a hash gets a random one (Envoy: the balancer
 * then acts as random).
 *
 * A host's position comes from its `envoy.lb` metadata `hash_key` when set, else its hostname when
 * `use_hostname_for_hashing`, else `address:port`.
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { randomHash } from './hash.js';
import type { LbConfig } from './lb-config.js';
import type { LoadBalancer } from './load-balancer.js';
import { buildPriorityState, groupByLocality, RebuildGuard, type HostSource, type PriorityState } from './priority-state.js';

/** A host and its share of its level (the shares of a level sum to 1). */
export interface WeightedHost {
  host: UpstreamHost;
  key: string;
  weight: number;
}

export interface HashTable {
  chooseHost(hash: number): UpstreamHost | null;
}

const noSource = (hosts: readonly UpstreamHost[]): HostSource => ({ hosts, rr: 0, edf: null });

export abstract class HashingLoadBalancer implements LoadBalancer {
  readonly usesHash = true;
  protected state!: PriorityState;
  /** One table per level (null: the level has no host to pick). */
  protected tables: (HashTable | null)[] = [];
  /** When the tables need rebuilding. */
  private readonly guard = new RebuildGuard();

  constructor(
    protected readonly hostSet: HostSet,
    protected readonly cfg: LbConfig,
  ) {
    hostSet.onRefresh(() => this.refresh());
  }

  refresh(): void {
    if (!this.guard.stale(this.hostSet.hosts)) return;
    this.state = buildPriorityState(this.hostSet.hosts, { ...this.cfg, localityWeighted: false }, noSource);
    this.tables = this.state.levels.map((level) => {
      const hosts = level.panic ? level.hosts : level.healthy;
      const weighted = this.normalize(hosts);
      return weighted.length === 0 ? null : this.buildTable(weighted);
    });
  }

  chooseHost(hash?: number): UpstreamHost | null {
    const h = hash ?? randomHash();
    const level = this.state.chooseLevel(h);
    const t = this.tables[level.priority];
    return t === null || t === undefined ? null : t.chooseHost(h);
  }

  protected abstract buildTable(hosts: WeightedHost[]): HashTable;

  /** Each host's share: weight / total, or within its locality's share when locality weighting is on. */
  private normalize(hosts: readonly UpstreamHost[]): WeightedHost[] {
    const out: WeightedHost[] = [];
    const add = (list: readonly UpstreamHost[], share: number) => {
      let sum = 0;
      for (const h of list) sum += h.weight;
      if (sum <= 0) return;
      for (const h of list) out.push({ host: h, key: hashKey(h, this.cfg.useHostnameForHashing), weight: (h.weight * share) / sum });
    };
    if (!this.cfg.localityWeighted) {
      add(hosts, 1);
      return out;
    }
    const groups = groupByLocality(hosts);
    let total = 0;
    for (const g of groups) total += g.weight;
    if (total <= 0) return out;
    for (const g of groups) if (g.weight > 0) add(g.hosts, g.weight / total);
    return out;
  }
}

/** The string a host is placed by: `envoy.lb` `hash_key`, else the hostname (if asked), else `address:port`. */
export function hashKey(h: UpstreamHost, useHostname: boolean): string {
  const v = h.metadata?.['envoy.lb']?.fields?.['hash_key'];
  if (v !== undefined && 'stringValue' in v && v.stringValue !== '') return v.stringValue;
  if (useHostname && h.hostname !== null && h.hostname !== '') return h.hostname;
  return h.authority;
}
