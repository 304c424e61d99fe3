/**
 * One cluster as a compiled config sees it: its hosts, its load balancer, its counters. Built by the
 * cluster manager for each config; a request keeps using the cluster object of the config it started
 * on. Example: `cluster.chooseHost()?.pool.dispatch(...)`.
 */
import type { ClusterStats } from '../stats.js';
import { CircuitBreakers } from './circuit-breakers.js';
import type { HostSet, UpstreamHost } from './host.js';
import type { LoadBalancer } from './lb/load-balancer.js';

export class UpstreamCluster {
  /** Shared by every config's object for this cluster name (the cluster manager sets it). */
  circuitBreakers: CircuitBreakers = new CircuitBreakers();

  constructor(
    readonly name: string,
    readonly stats: ClusterStats,
    readonly hosts: HostSet,
    readonly lb: LoadBalancer,
    readonly connectTimeoutMs: number,
  ) {}

  /** A usable host, or null when there is none (503 `no healthy upstream`). */
  chooseHost(): UpstreamHost | null {
    return this.lb.chooseHost();
  }

  /**
   * Replaces the cluster's hosts without a config update (STRICT_DNS re-resolution): the host set
   * takes the new list and recomputes what is usable; hosts kept from the old list keep their state.
   */
  replaceHosts(hosts: readonly UpstreamHost[]): void {
    this.hosts.replaceHosts(hosts);
  }
}

/** The clusters of one compiled config, by name. */
export class ClusterSet {
  constructor(private readonly byName: ReadonlyMap<string, UpstreamCluster>) {}

  get(name: string): UpstreamCluster | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get size(): number {
    return this.byName.size;
  }
}
