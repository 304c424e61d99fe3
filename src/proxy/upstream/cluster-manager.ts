/**
 * The cluster manager: turns a snapshot's Clusters and ClusterLoadAssignments into a `ClusterSet`
 * (hosts, load balancers, pools) and owns the long-lived state behind them — connection pools and
 * DNS resolutions — across config updates.
 *
 * Endpoints come from `load_assignment` for STATIC, STRICT_DNS and LOGICAL_DNS clusters, and from the
 * ClusterLoadAssignment named by `eds_cluster_config.service_name` (or the cluster name) for EDS.
 * Building is synchronous; `prepare` resolves the STRICT_DNS names a snapshot needs beforehand, and
 * after `commit` the STRICT_DNS clusters of the served config are re-resolved (strict-dns.ts) and
 * their hosts replaced in place. Circuit breakers are kept per cluster name across configs.
 * One bad cluster is logged and left out; it never stops the others. Host health (active checks,
 * outlier detection, per-host counters) lives in `health` (health/upstream-health.ts), which each
 * build attaches its hosts to; slow-start histories are kept per cluster for the balancers.
 */
import type { Cluster, ClusterLoadAssignment, XdsSnapshot } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import type { Logger } from '../logger.js';
import { clusterStatsFor, type ProxyStats } from '../stats.js';
import { CircuitBreakers } from './circuit-breakers.js';
import { ConnectionPools } from './connection-pools.js';
import { ClusterConnections } from './connection-settings.js';
import { DnsCache, familyOf, type DnsResolver, type LookupFamily } from './dns-cache.js';
import { HostSet, UpstreamHost } from './host.js';
import { UpstreamHealth, type HealthBuild, type HostSpec, type UpstreamHealthOptions } from './health/upstream-health.js';
import { createLoadBalancer } from './lb/load-balancer.js';
import { SlowStartHistories } from './lb/slow-start.js';
import { ClusterSet, UpstreamCluster } from './upstream-cluster.js';
import { DEFAULT_DNS_REFRESH_MS, StrictDnsRefresher, type StrictDnsCluster } from './strict-dns.js';

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
  private readonly dns: DnsCache;
  private readonly refresher: StrictDnsRefresher;
  /** Circuit breakers by cluster name: their counters outlive config updates. */
  private readonly breakers = new Map<string, CircuitBreakers>();
  /** Pool keys of the committed config (STRICT_DNS refreshes add and remove theirs). */
  private committedPools = new Set<string>();
  /** The committed config's STRICT_DNS clusters, for re-resolution. */
  private strictDns = new Map<string, DnsClusterState>();
  /** Per cluster, since when each host has been usable (slow start across config updates). */
  private readonly slowStart = new SlowStartHistories();
  /** Health of every endpoint, kept across configs. */
  readonly health: UpstreamHealth;

  constructor(
    private readonly stats: ProxyStats,
    private readonly logger: Logger,
    healthOptions?: UpstreamHealthOptions,
    /** Name resolution for STRICT_DNS clusters (default: the system's; tests inject their own). */
    dnsResolver?: DnsResolver,
  ) {
    this.health = new UpstreamHealth(stats, logger, healthOptions);
    this.pools = new ConnectionPools(logger, dnsResolver);
    this.dns = new DnsCache(dnsResolver);
    this.refresher = new StrictDnsRefresher(this.dns, logger, (name) => this.dnsChanged(name));
  }

  /** Resolves the STRICT_DNS names of a snapshot that are not cached yet (cluster warming). */
  async prepare(snapshot: XdsSnapshot): Promise<void> {
    const names: [string, LookupFamily, boolean][] = [];
    for (const c of snapshot.clusters) {
      if (c.type !== 'STRICT_DNS') continue;
      const family = familyOf(c.dns_lookup_family);
      for (const le of c.load_assignment?.endpoints ?? []) {
        for (const e of le.lb_endpoints ?? []) {
          const a = e.endpoint?.address?.socket_address?.address;
          if (a) names.push([a, family, c.respect_dns_ttl === true]);
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
    const strictDns: DnsClusterState[] = [];
    for (const c of snapshot.clusters) {
      if (byName.has(c.name)) {
        this.logger.warn('duplicate cluster name; the first one is used', { cluster: c.name });
        continue;
      }
      try {
        byName.set(c.name, this.buildCluster(c, assignments, used, strictDns, health));
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
        this.committedPools = used;
        for (const name of this.breakers.keys()) if (!byName.has(name)) this.breakers.delete(name);
        this.strictDns = new Map(strictDns.map((st) => [st.cluster.name, st]));
        this.refresher.retain(strictDns.map(strictDnsSpec));
      },
    };
  }

  private buildCluster(
    c: Cluster,
    assignments: Map<string, ClusterLoadAssignment>,
    used: Set<string>,
    strictDns: DnsClusterState[],
    health: HealthBuild,
  ): UpstreamCluster {
    const conns = ClusterConnections.compile(c);
    const connectTimeoutMs = conns.base.connectTimeoutMs;
    const type = c.type ?? 'STATIC';
    let cla: ClusterLoadAssignment | undefined;
    if (type === 'EDS') cla = assignments.get(c.eds_cluster_config?.service_name || c.name);
    else if (type === 'ORIGINAL_DST') this.logger.warn('ORIGINAL_DST clusters are not supported; the cluster has no hosts', { cluster: c.name });
    else cla = c.load_assignment;

    const keys = new Set<string>();
    const hosts = this.buildHosts(c, cla, conns, keys);
    // Hosts discovery dropped but active health checks keep (Envoy's eventually consistent discovery).
    const settings = conns.forEndpoint(undefined);
    const makeHost = (h: HostSpec): UpstreamHost =>
      new UpstreamHost(h.address, h.port, h.hostname, h.weight, h.priority, this.pools.acquire(c.name, { address: h.address, port: h.port }, settings, keys));
    hosts.push(...health.absentHosts(c, hosts, makeHost));
    for (const k of keys) used.add(k);
    const hostSet = new HostSet(hosts);
    health.attach(c, hostSet);
    const lb = createLoadBalancer(c, hostSet, { cla, history: this.slowStart.forCluster(c.name) });
    const cluster = new UpstreamCluster(c.name, clusterStatsFor(this.stats, c.name), hostSet, lb, connectTimeoutMs);
    cluster.circuitBreakers = this.circuitBreakersFor(c, conns.http2);
    if (type === 'STRICT_DNS') strictDns.push({ config: c, cla, conns, cluster, keys });
    return cluster;
  }

  /**
   * The hosts of a cluster's endpoints (STRICT_DNS names expanded from the DNS cache), each with the
   * pool of its transport socket settings. Pipe endpoints (`address.pipe`) connect to a Unix socket.
   */
  private buildHosts(c: Cluster, cla: ClusterLoadAssignment | undefined, conns: ClusterConnections, used: Set<string>): UpstreamHost[] {
    const type = c.type ?? 'STATIC';
    const family = familyOf(c.dns_lookup_family);
    const hosts: UpstreamHost[] = [];
    for (const locality of cla?.endpoints ?? []) {
      const priority = locality.priority ?? 0;
      const loc = locality.locality;
      const localityKey = loc === undefined ? '' : `${loc.region ?? ''}/${loc.zone ?? ''}/${loc.sub_zone ?? ''}`;
      const localityWeight = locality.load_balancing_weight?.value ?? 0;
      const describe = (host: UpstreamHost): UpstreamHost => {
        host.locality = localityKey;
        host.localityWeight = localityWeight;
        return host;
      };
      for (const lbe of locality.lb_endpoints ?? []) {
        const addr = lbe.endpoint?.address;
        const weight = lbe.load_balancing_weight?.value ?? 1;
        const unhealthy = lbe.health_status === 'UNHEALTHY' || lbe.health_status === 'DRAINING';
        const settings = conns.forEndpoint(lbe.metadata);
        const pipe = addr?.pipe?.path;
        if (pipe) {
          const host = describe(new UpstreamHost(pipe, 0, lbe.endpoint.hostname || null, weight, priority, this.pools.acquire(c.name, { pipe }, settings, used)));
          host.edsUnhealthy = unhealthy;
          host.metadata = lbe.metadata?.filter_metadata ?? null;
          hosts.push(host);
          continue;
        }
        const sa = addr?.socket_address;
        if (!sa || !sa.address) continue;
        const port = Number(sa.port_value);
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
          const pool = this.pools.acquire(c.name, { address, port }, settings, used);
          const host = describe(new UpstreamHost(address, port, hostname, weight, priority, pool));
          host.edsUnhealthy = unhealthy;
          host.metadata = lbe.metadata?.filter_metadata ?? null;
          hosts.push(host);
        }
        if (type === 'LOGICAL_DNS') break;
      }
      if (type === 'LOGICAL_DNS' && hosts.length > 0) break;
    }
    return hosts;
  }

  /** The circuit breakers of a cluster name (kept across configs), set to this config's thresholds. */
  private circuitBreakersFor(c: Cluster, http2: boolean): CircuitBreakers {
    let cb = this.breakers.get(c.name);
    if (cb === undefined) {
      cb = new CircuitBreakers();
      this.breakers.set(c.name, cb);
    }
    cb.configure(c, http2);
    return cb;
  }

  /** The STRICT_DNS cluster `name` got new answers: rebuild its hosts, keeping the unchanged ones. */
  private dnsChanged(name: string): void {
    const st = this.strictDns.get(name);
    if (st === undefined) return;
    const used = new Set<string>();
    const fresh = this.buildHosts(st.config, st.cla, st.conns, used);
    const old = new Map<string, UpstreamHost>();
    for (const h of st.cluster.hosts.hosts) old.set(hostIdentity(h), h);
    const hosts = fresh.map((h) => old.get(hostIdentity(h)) ?? h);
    st.cluster.replaceHosts(hosts);
    this.health.hostsReplaced(name, st.cluster.hosts);
    for (const k of st.keys) this.committedPools.delete(k);
    st.keys = used;
    for (const k of used) this.committedPools.add(k);
    this.pools.retainOnly(this.committedPools);
    this.logger.info('STRICT_DNS cluster hosts changed', { cluster: name, hosts: hosts.map((h) => h.authority) });
  }

  /** Closes every pool, letting in-flight requests finish for at most `graceMs`, and stops DNS refreshes and health checks. */
  async close(graceMs: number): Promise<void> {
    this.refresher.close();
    await Promise.all([this.health.close(), this.pools.closeAll(graceMs)]);
  }

  /** Number of open upstream pools (for tests and the admin page). */
  get poolCount(): number {
    return this.pools.size;
  }
}

/** What re-resolving a committed STRICT_DNS cluster needs. */
interface DnsClusterState {
  config: Cluster;
  cla: ClusterLoadAssignment | undefined;
  conns: ClusterConnections;
  cluster: UpstreamCluster;
  /** Pool keys of its current hosts. */
  keys: Set<string>;
}

function strictDnsSpec(st: DnsClusterState): StrictDnsCluster {
  const c = st.config;
  const family = familyOf(c.dns_lookup_family);
  const names: [string, LookupFamily][] = [];
  for (const le of st.cla?.endpoints ?? []) {
    for (const e of le.lb_endpoints ?? []) {
      const a = e.endpoint?.address?.socket_address?.address;
      if (a && !names.some(([n]) => n === a)) names.push([a, family]);
    }
  }
  const refresh = durationToMs(c.dns_refresh_rate);
  return { name: c.name, names, refreshMs: refresh !== undefined && refresh > 0 ? refresh : DEFAULT_DNS_REFRESH_MS, respectTtl: c.respect_dns_ttl === true };
}

/** Same endpoint, same pool and same LB attributes: the host object (and its health state) is kept. */
function hostIdentity(h: UpstreamHost): string {
  return `${h.authority}\u0000${h.hostname ?? ''}\u0000${h.weight}\u0000${h.priority}\u0000${h.locality}\u0000${h.localityWeight}`;
}
