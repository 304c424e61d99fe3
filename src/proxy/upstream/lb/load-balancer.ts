/**
 * The load balancer contract: pick one host among those the host set calls usable, or null when
 * there is none (the router then answers 503 `no healthy upstream`). Balancers keep only their own
 * picking state; health lives in the host set. `createLoadBalancer` maps Envoy's `lb_policy`.
 */
import type { Cluster } from '../../../xds/envoy-types.js';
import type { HostSet, UpstreamHost } from '../host.js';
import { RoundRobinLoadBalancer } from './round-robin.js';
import { RandomLoadBalancer } from './random.js';

export interface LoadBalancer {
  chooseHost(): UpstreamHost | null;
}

/** Balancer for a cluster's policy. LEAST_REQUEST, RING_HASH and MAGLEV fall back to round robin for now. */
export function createLoadBalancer(policy: Cluster['lb_policy'], hosts: HostSet): LoadBalancer {
  switch (policy) {
    case 'RANDOM':
      return new RandomLoadBalancer(hosts);
    default:
      return new RoundRobinLoadBalancer(hosts);
  }
}
