/**
 * The cluster manager: turns a snapshot's Clusters and ClusterLoadAssignments into a `ClusterSet`
 * (hosts, load balancers, pools) and owns the long-lived state behind them — connection pools and
 * DNS resolutions — across config updates.
 *
 * Endpoints come from `load_assignment` for STATIC, STRICT_DNS and LOGICAL_DNS clusters, and from the
 * ClusterLoadAssignment named by `eds_cluster_config.service_name` (or the cluster name) for EDS.
 * Building is synchronous; `prepare` resolves the STRICT_DNS names a snapshot needs beforehand.
 * One bad cluster is logged and left out; it never stops the others. Host health (active checks,
 * outlier detection, per-host counters) lives in `health` (health/upstream-health.ts), which each
 * build attaches its hosts to.
 */
import type { Cluster, ClusterLoadAssignment, XdsSnapshot } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import type { Logger } from '../logger.js';
import { clusterStatsFor, type ProxyStats } from '../stats.js';
import { ConnectionPools, DEFAULT_CONNECT_TIMEOUT_MS } from './connection-pools.js';
import { DnsCache, familyOf, type LookupFamily } from './dns-cache.js';
import { HostSet, UpstreamHost } from './host.js';
import { UpstreamHealth, type HealthBuild, type HostSpec, type UpstreamHealthOptions } from './health/upstream-health.js';
import { createLoadBalancer } from './lb/load-balancer.js';
import { SlowStartHistories } from './lb/slow-start.js';
import { ClusterSet, UpstreamCluster } from './upstream-cluster.js';

const DNS_WARMING_TIMEOUT_MS = 5000;

/** A built cluster set, not yet committed: `commit()` retires the pools it no longer uses. */
export interface PendingClusterSet {
  readonly set: ClusterSet;
  /** Resolves once new clusters with active health checks checked each host once (cluster warming). */
  readonly warmed: Promise<void>;
  commit(): void;
}

export class ClusterManager {
  private readonly pools: ConnectionPools;
  private readonly dns = new DnsCache();
  /** Per cluster, since when each host has been usable (slow start across config updates). */
  private readonly slowStart = new SlowStartHistories();
  /** Health of every endpoint, kept across configs. */
  readonly health: UpstreamHealth;

  constructor(
    private readonly stats: ProxyStats,
    private readonly logger: Logger,
    healthOptions?: UpstreamHealthOptions,
  ) {
    this.pools = new ConnectionPools(logger);
    this.health = new UpstreamHealth(stats, logger, healthOptions);
  }

  /** Resolves the STRICT_DNS names of a snapshot that are not cached yet (cluster warming). */
  async prepare(snapshot: XdsSnapshot): Promise<void> {
    const names: [string, LookupFamily][] = [];
    for (const c of snapshot.clusters) {
      if (c.type !== 'STRICT_DNS') continue;
      const family = familyOf(c.dns_lookup_family);
      for (const le of c.load_assignment?.endpoints ?? []) {
        for (const e of le.lb_endpoints ?? []) {
          const a = e.endpoint?.address?.socket_address?.address;
          if (a) names.push([a, family]);
        }
      }
    }
    if (names.length === 0) return;
    for (const f of await this.dns.ensure(names, DNS_WARMING_TIMEOUT_MS)) {
      this.logger.warn('DNS resolution failed; the endpoint has no hosts until it resolves', { host: f.name, err: f.error });
    }
  }

  build(snapshot: XdsSnapshot): PendingClusterSet {
    const used = new Set<string>();
    const health = this.health.begin();
    const byName = new Map<string, UpstreamCluster>();
    const assignments = new Map<string, ClusterLoadAssignment>();
    for (const cla of snapshot.endpoints) assignments.set(cla.cluster_name, cla);
    for (const c of snapshot.clusters) {
      if (byName.has(c.name)) {
        this.logger.warn('duplicate cluster name; the first one is used', { cluster: c.name });
        continue;
      }
      try {
        byName.set(c.name, this.buildCluster(c, assignments, used, health));
      } catch (err) {
        this.logger.warn('cluster rejected', { cluster: c.name, err });
      }
    }
    return {
      set: new ClusterSet(byName),
      warmed: health.warmed,
      commit: () => {
        this.pools.retainOnly(used);
        this.slowStart.retainOnly(byName.keys());
        health.commit();
      },
    };
  }

  private buildCluster(c: Cluster, assignments: Map<string, ClusterLoadAssignment>, used: Set<string>, health: HealthBuild): UpstreamCluster {
    const connectTimeoutMs = durationToMs(c.connect_timeout) || DEFAULT_CONNECT_TIMEOUT_MS;
    const type = c.type ?? 'STATIC';
    let cla: ClusterLoadAssignment | undefined;
    if (type === 'EDS') cla = assignments.get(c.eds_cluster_config?.service_name || c.name);
    else if (type === 'ORIGINAL_DST') this.logger.warn('ORIGINAL_DST clusters are not supported; the cluster has no hosts', { cluster: c.name });
    else cla = c.load_assignment;

    const family = familyOf(c.dns_lookup_family);
    const makeHost = (h: HostSpec): UpstreamHost => {
      const authority = h.address.includes(':') ? `[${h.address}]:${h.port}` : `${h.address}:${h.port}`;
      const pool = this.pools.acquire(c.name, `http://${authority}`, { connectTimeoutMs }, used);
      return new UpstreamHost(h.address, h.port, h.hostname, h.weight, h.priority, pool);
    };
    const hosts: UpstreamHost[] = [];
    for (const locality of cla?.endpoints ?? []) {
      const priority = locality.priority ?? 0;
      const loc = locality.locality;
      const localityKey = loc === undefined ? '' : `${loc.region ?? ''}/${loc.zone ?? ''}/${loc.sub_zone ?? ''}`;
      const localityWeight = locality.load_balancing_weight?.value ?? 0;
      for (const lbe of locality.lb_endpoints ?? []) {
        const sa = lbe.endpoint?.address?.socket_address;
        if (!sa || !sa.address) continue;
        const port = Number(sa.port_value);
        const weight = lbe.load_balancing_weight?.value ?? 1;
        const unhealthy = lbe.health_status === 'UNHEALTHY' || lbe.health_status === 'DRAINING';
        let addresses: readonly string[];
        let hostname = lbe.endpoint.hostname || null;
        if (type === 'STRICT_DNS') {
          addresses = this.dns.get(sa.address, family) ?? [];
          hostname ??= sa.address;
        } else {
          // STATIC / EDS carry IPs; LOGICAL_DNS hands the name to the pool, which resolves per connection.
          addresses = [sa.address];
          if (type === 'LOGICAL_DNS') hostname ??= sa.address;
        }
        for (const address of addresses) {
          const host = makeHost({ address, port, hostname, weight, priority });
          host.edsUnhealthy = unhealthy;
          host.locality = localityKey;
          host.localityWeight = localityWeight;
          host.metadata = lbe.metadata?.filter_metadata ?? null;
          hosts.push(host);
        }
        if (type === 'LOGICAL_DNS') break;
      }
      if (type === 'LOGICAL_DNS' && hosts.length > 0) break;
    }
    // Hosts discovery dropped but active health checks keep (Envoy's eventually consistent discovery).
    hosts.push(...health.absentHosts(c, hosts, makeHost));
    const hostSet = new HostSet(hosts);
    health.attach(c, hostSet);
    const lb = createLoadBalancer(c, hostSet, { cla, history: this.slowStart.forCluster(c.name) });
    return new UpstreamCluster(c.name, clusterStatsFor(this.stats, c.name), hostSet, lb, connectTimeoutMs);
  }

  /** Closes every pool, letting in-flight requests finish for at most `graceMs`. */
  async close(graceMs: number): Promise<void> {
    await Promise.all([this.health.close(), this.pools.closeAll(graceMs)]);
  }

  /** Number of open upstream pools (for tests and the admin page). */
  get poolCount(): number {
    return this.pools.size;
  }
}
