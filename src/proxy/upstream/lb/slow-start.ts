/**
 * Slow start (`slow_start_config` of round robin and least request): a host that just became usable —
 * it joined the cluster in a later config, or came back from failed health checks or an outlier
 * ejection — gets a share that ramps up over `slow_start_window`, as in Envoy:
 * `weight × max(min_weight_percent, (t / window) ^ (1 / aggression))`, t being the time since it
 * became usable.
 *
 * Hosts are rebuilt with every config, so the time each host became usable is kept per cluster in a
 * `SlowStartHistory` that outlives them (keyed by address). The hosts of a cluster's first config are
 * not in slow start (Envoy ramps them all together, which changes no share).
 */
import type { UpstreamHost } from '../host.js';
import type { SlowStart } from './lb-config.js';

/** Per cluster, across configs: since when each host (by `address:port`) has been usable. */
export class SlowStartHistory {
  readonly since = new Map<string, number>();
  /** No balancer of this cluster has recorded anything yet. */
  fresh = true;
}

/** Owns the histories of all clusters (one per cluster manager). */
export class SlowStartHistories {
  private readonly byCluster = new Map<string, SlowStartHistory>();

  forCluster(name: string): SlowStartHistory {
    let h = this.byCluster.get(name);
    if (h === undefined) this.byCluster.set(name, (h = new SlowStartHistory()));
    return h;
  }

  /** Forgets clusters that are gone. */
  retainOnly(names: Iterable<string>): void {
    const keep = new Set(names);
    for (const k of this.byCluster.keys()) if (!keep.has(k)) this.byCluster.delete(k);
  }
}

export class SlowStartTracker {
  /** The usable-since time of each current host that is usable. */
  private readonly byHost = new Map<UpstreamHost, number>();
  private latest = -Infinity;
  /** The next update is the first of a cluster never seen before: its hosts do not ramp. */
  private initial: boolean;

  constructor(
    private readonly cfg: SlowStart,
    private readonly history: SlowStartHistory,
    private readonly now: () => number,
  ) {
    this.initial = history.fresh;
  }

  /** Records the hosts' usable-since times after a refresh. */
  update(hosts: readonly UpstreamHost[]): void {
    const now = this.now();
    const since = this.history.since;
    const first = this.initial;
    this.initial = false;
    this.byHost.clear();
    this.latest = -Infinity;
    for (const h of hosts) {
      const key = h.authority;
      if (!h.usable) {
        since.delete(key);
        continue;
      }
      let t = since.get(key);
      if (t === undefined) since.set(key, (t = first ? -Infinity : now));
      this.byHost.set(h, t);
      if (t > this.latest) this.latest = t;
    }
  }

  /** Marks the history as seen (after all balancers of a config recorded their first hosts). */
  seal(): void {
    this.history.fresh = false;
  }

  /** Some host is still ramping up. */
  active(): boolean {
    return this.now() - this.latest < this.cfg.windowMs;
  }

  /** `weight` scaled for slow start. */
  scale(host: UpstreamHost, weight: number): number {
    const t = this.byHost.get(host);
    if (t === undefined) return weight;
    const age = this.now() - t;
    const window = this.cfg.windowMs;
    if (age >= window) return weight;
    const timeFactor = Math.max(1, age) / window;
    const a = this.cfg.aggression;
    const f = a === 1 ? timeFactor : Math.pow(timeFactor, 1 / a);
    return weight * Math.max(f, this.cfg.minWeight);
  }
}
