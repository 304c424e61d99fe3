/**
 * STRICT_DNS re-resolution: every STRICT_DNS cluster of the config being served re-resolves its names
 * every `dns_refresh_rate` (Envoy's default 5 s; with `respect_dns_ttl`, the records' TTL when the
 * resolver reports one, at least 1 s), starting one interval after the config came in, and tells the
 * cluster manager when an answer changed so it can replace the cluster's hosts — no config update
 * involved. A failed resolution keeps the last hosts and is retried at the same rate.
 *
 * Timers survive config updates for clusters whose names and rates are unchanged (a busy control plane
 * does not postpone refreshes), are unref'd, and stop when the cluster leaves the config or the proxy stops.
 */
import type { Logger } from '../logger.js';
import type { DnsCache, LookupFamily } from './dns-cache.js';

export const DEFAULT_DNS_REFRESH_MS = 5000;
const MIN_TTL_REFRESH_MS = 1000;
/** A resolution that takes longer is abandoned (and retried at the next interval). */
const RESOLVE_TIMEOUT_MS = 5000;

export interface StrictDnsCluster {
  readonly name: string;
  /** The names to resolve, with their address family. */
  readonly names: readonly (readonly [string, LookupFamily])[];
  readonly refreshMs: number;
  readonly respectTtl: boolean;
}

interface Refresh {
  spec: StrictDnsCluster;
  signature: string;
  timer: NodeJS.Timeout | null;
  failing: boolean;
  stopped: boolean;
}

export class StrictDnsRefresher {
  private readonly refreshing = new Map<string, Refresh>();

  constructor(
    private readonly dns: DnsCache,
    private readonly logger: Logger,
    /** Called when a cluster's answers changed (its hosts must be rebuilt from the cache). */
    private readonly onChange: (cluster: string) => void,
  ) {}

  /** The STRICT_DNS clusters of the config now served: starts, keeps or stops their refresh loops. */
  retain(clusters: readonly StrictDnsCluster[]): void {
    const keep = new Set<string>();
    for (const spec of clusters) {
      keep.add(spec.name);
      const signature = JSON.stringify([spec.names, spec.refreshMs, spec.respectTtl]);
      const cur = this.refreshing.get(spec.name);
      if (cur !== undefined && cur.signature === signature) {
        cur.spec = spec;
        continue;
      }
      if (cur !== undefined) this.stop(cur);
      const r: Refresh = { spec, signature, timer: null, failing: false, stopped: false };
      this.refreshing.set(spec.name, r);
      this.schedule(r, this.nextDelay(spec, this.knownTtl(spec)));
    }
    for (const [name, r] of this.refreshing) {
      if (keep.has(name)) continue;
      this.stop(r);
      this.refreshing.delete(name);
    }
  }

  close(): void {
    for (const r of this.refreshing.values()) this.stop(r);
    this.refreshing.clear();
  }

  /** Clusters being refreshed (tests). */
  get size(): number {
    return this.refreshing.size;
  }

  private stop(r: Refresh): void {
    r.stopped = true;
    if (r.timer !== null) clearTimeout(r.timer);
    r.timer = null;
  }

  private schedule(r: Refresh, ms: number): void {
    if (r.stopped) return;
    r.timer = setTimeout(() => void this.refresh(r), ms);
    r.timer.unref();
  }

  private async refresh(r: Refresh): Promise<void> {
    r.timer = null;
    const spec = r.spec;
    let changed = false;
    let ttl = Infinity;
    let failure: { name: string; err: unknown } | null = null;
    await Promise.all(
      spec.names.map(async ([name, family]) => {
        try {
          const out = await this.dns.resolve(name, family, RESOLVE_TIMEOUT_MS, spec.respectTtl);
          if (out.changed) changed = true;
          if (out.ttlMs !== undefined) ttl = Math.min(ttl, out.ttlMs);
        } catch (err) {
          failure ??= { name, err };
        }
      }),
    );
    if (r.stopped) return;
    if (failure !== null) {
      const f: { name: string; err: unknown } = failure;
      if (!r.failing) this.logger.warn('DNS re-resolution failed; the cluster keeps its hosts', { cluster: spec.name, host: f.name, err: f.err });
      r.failing = true;
    } else {
      r.failing = false;
    }
    if (changed) {
      try {
        this.onChange(spec.name);
      } catch (err) {
        this.logger.error('updating the hosts of a STRICT_DNS cluster failed', { cluster: spec.name, err });
      }
    }
    this.schedule(r, this.nextDelay(spec, ttl));
  }

  /** The refresh rate, or with respect_dns_ttl the smallest TTL known (at least MIN_TTL_REFRESH_MS). */
  private nextDelay(spec: StrictDnsCluster, ttl: number): number {
    return spec.respectTtl && Number.isFinite(ttl) ? Math.max(MIN_TTL_REFRESH_MS, ttl) : spec.refreshMs;
  }

  /** The smallest TTL of the cluster's names learned so far (cluster warming asked for them). */
  private knownTtl(spec: StrictDnsCluster): number {
    let ttl = Infinity;
    for (const [name, family] of spec.names) {
      const t = this.dns.ttlOf(name, family);
      if (t !== undefined) ttl = Math.min(ttl, t);
    }
    return ttl;
  }
}
