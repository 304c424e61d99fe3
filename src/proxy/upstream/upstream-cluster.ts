/**
 * One cluster as a compiled config sees it: its hosts, its load balancer, its counters. Built by the
 * cluster manager for each config; a request keeps using the cluster object of the config it started
 * on. Example: `cluster.chooseHost()?.pool.dispatch(...)`; the router passes the request, the route's
 * hash policy and subset match: `cluster.chooseHost(req, policy, match, res)`.
 */
import type { ServerResponse } from 'node:http';
import type { ClusterStats } from '../stats.js';
import { CircuitBreakers } from './circuit-breakers.js';
import type { HostSet, UpstreamHost } from './host.js';
import type { LoadBalancer } from './lb/load-balancer.js';
import type { MetadataMatch } from './lb/metadata-match.js';

/** A route's compiled hash policy (router/hash-policy.ts). */
export interface RequestHasher<R> {
  hash(req: R, res: ServerResponse | null): number | undefined;
}

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

  /**
   * A usable host, or null when there is none (503 `no healthy upstream`). The request is hashed with
   * `policy` only when the balancer hashes; `match` selects a subset; `res` receives a generated
   * hash cookie.
   */
  chooseHost<R>(req: R | null = null, policy: RequestHasher<R> | null = null, match: MetadataMatch | null = null, res: ServerResponse | null = null): UpstreamHost | null {
    const lb = this.lb;
    if (lb.usesHash === true && policy !== null && req !== null) return lb.chooseHost(policy.hash(req, res), match);
    return lb.chooseHost(undefined, match);
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
