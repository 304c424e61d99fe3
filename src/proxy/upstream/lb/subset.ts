/**
 * Envoy's subset load balancer (`lb_subset_config`): the hosts are split into subsets by the values
 * of their `envoy.lb` metadata for each `subset_selectors[].keys`, each subset with a balancer of the
 * cluster's policy over its own host set (so priorities, panic and slow start apply inside a subset).
 * A request names its subset with the route's `metadata_match`; it must carry exactly the keys of one
 * selector. A subset with hosts answers even when none of them is usable (panic or 503, as Envoy);
 * when the request has no match, its keys fit no selector, or no host has its values, the fallback
 * applies: the selector's `fallback_policy` (NO_FALLBACK, ANY_ENDPOINT, DEFAULT_SUBSET, KEYS_SUBSET),
 * else the cluster's (`NO_FALLBACK` answers 503 `no healthy upstream`, `ANY_ENDPOINT` balances over
 * every host, `DEFAULT_SUBSET` over the hosts matching `default_subset`; a default subset without
 * hosts is like NO_FALLBACK). `panic_mode_any` balances over every host when the fallback finds none.
 *
 * Subsets are built per config; health changes reach them through the parent host set's refresh.
 */
import type { LbSubsetConfig } from '../../../xds/envoy-types.js';
import { HostSet, type UpstreamHost } from '../host.js';
import type { LoadBalancer } from './load-balancer.js';
import { canonicalValue, hostLbMetadata, restrict, type MetadataMatch } from './metadata-match.js';

type Fallback = 'NOT_DEFINED' | 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET' | 'KEYS_SUBSET';

interface Selector {
  keys: string[];
  fallback: Fallback;
  fallbackKeys: string[];
}

export class SubsetLoadBalancer implements LoadBalancer {
  readonly usesHash: boolean;
  /** Subsets by match id. */
  private readonly subsets = new Map<string, LoadBalancer>();
  /** Selectors by their sorted keys. */
  private readonly selectors = new Map<string, Selector>();
  private readonly clusterFallback: 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET';
  private anyLb: LoadBalancer | null = null;
  private defaultLb: LoadBalancer | null | undefined = undefined;
  private readonly panicModeAny: boolean;

  constructor(
    private readonly parent: HostSet,
    private readonly cfg: LbSubsetConfig,
    private readonly makeLb: (hosts: HostSet) => LoadBalancer,
    usesHash: boolean,
  ) {
    this.usesHash = usesHash;
    this.clusterFallback = cfg.fallback_policy ?? 'NO_FALLBACK';
    this.panicModeAny = cfg.panic_mode_any === true;
    const values = parent.hosts.map((h) => hostLbMetadata(h));
    const members = new Map<string, UpstreamHost[]>();
    for (const s of cfg.subset_selectors ?? []) {
      const keys = [...new Set(s.keys ?? [])].sort();
      if (keys.length === 0) continue;
      const sel: Selector = { keys, fallback: s.fallback_policy ?? 'NOT_DEFINED', fallbackKeys: s.fallback_keys_subset ?? [] };
      this.selectors.set(keys.join('\0'), sel);
      parent.hosts.forEach((h, i) => {
        const m = restrict(values[i]!, keys);
        if (m === null) return;
        const list = members.get(m.id);
        if (list === undefined) members.set(m.id, [h]);
        else if (s.single_host_per_subset !== true) list.push(h);
      });
    }
    for (const [id, hosts] of members) this.subsets.set(id, this.balancerOver(hosts));
    // The cluster-wide fallbacks are built now, so a request never builds anything.
    if (this.clusterFallback === 'ANY_ENDPOINT' || this.panicModeAny || this.selectorsWant('ANY_ENDPOINT')) this.any();
    if (this.clusterFallback === 'DEFAULT_SUBSET' || this.selectorsWant('DEFAULT_SUBSET')) this.defaultSubset();
  }

  /** Number of subsets (for tests and the admin page). */
  get subsetCount(): number {
    return this.subsets.size;
  }

  chooseHost(hash?: number, match?: MetadataMatch | null): UpstreamHost | null {
    if (match !== undefined && match !== null) {
      const lb = this.subsets.get(match.id);
      if (lb !== undefined) return lb.chooseHost(hash);
      const sel = this.selectors.get(match.keys);
      if (sel !== undefined && sel.fallback !== 'NOT_DEFINED') return this.selectorFallback(sel, match, hash);
    }
    return this.fallback(this.clusterFallback, hash);
  }

  private selectorFallback(sel: Selector, match: MetadataMatch, hash: number | undefined): UpstreamHost | null {
    switch (sel.fallback) {
      case 'NO_FALLBACK':
        return null;
      case 'KEYS_SUBSET': {
        const reduced = restrict(new Map(match.entries), sel.fallbackKeys);
        const lb = reduced === null ? undefined : this.subsets.get(reduced.id);
        if (lb !== undefined) return lb.chooseHost(hash);
        return this.fallback(this.clusterFallback, hash);
      }
      default:
        return this.fallback(sel.fallback as 'ANY_ENDPOINT' | 'DEFAULT_SUBSET', hash);
    }
  }

  private fallback(policy: 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET', hash: number | undefined): UpstreamHost | null {
    let host: UpstreamHost | null = null;
    if (policy === 'ANY_ENDPOINT') host = this.any().chooseHost(hash);
    else if (policy === 'DEFAULT_SUBSET') host = this.defaultSubset()?.chooseHost(hash) ?? null;
    if (host === null && this.panicModeAny) host = this.any().chooseHost(hash);
    return host;
  }

  private any(): LoadBalancer {
    return (this.anyLb ??= this.makeLb(this.parent));
  }

  private defaultSubset(): LoadBalancer | null {
    if (this.defaultLb !== undefined) return this.defaultLb;
    const want = Object.entries(this.cfg.default_subset?.fields ?? {}).map(([k, v]) => [k, canonicalValue(v)] as const);
    const hosts = this.parent.hosts.filter((h) => {
      const values = hostLbMetadata(h);
      return want.every(([k, v]) => values.get(k) === v);
    });
    return (this.defaultLb = hosts.length === 0 ? null : this.balancerOver(hosts));
  }

  private selectorsWant(f: Fallback): boolean {
    for (const s of this.selectors.values()) if (s.fallback === f) return true;
    return false;
  }

  private balancerOver(hosts: UpstreamHost[]): LoadBalancer {
    const set = new HostSet(hosts);
    this.parent.onRefresh(() => set.refresh());
    return this.makeLb(set);
  }
}

