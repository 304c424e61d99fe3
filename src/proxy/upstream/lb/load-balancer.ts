/**
 * The load balancer contract: pick one host among those the host set calls usable (all of a
 * priority's hosts when that priority is in panic), or null when there is none (the router then
 * answers 503 `no healthy upstream`). Balancers keep only their own picking state and rebuild it when
 * the host set refreshes; health lives in the hosts (flags set by health checking and outlier
 * detection). `createLoadBalancer` maps a Cluster's `lb_policy`, its `*_lb_config`s and
 * `lb_subset_config` to a balancer.
 *
 * Per request: `chooseHost(hash, match)` — `hash` only for balancers with `usesHash` (the caller
 * computes it from the route's hash policy only then), `match` only for subset balancers.
 */
import type { Cluster, ClusterLoadAssignment } from '../../../xds/envoy-types.js';
import type { HostSet, UpstreamHost } from '../host.js';
import { lbConfigOf, DEFAULT_LB_CONFIG, type LbConfig } from './lb-config.js';
import { LeastRequestLoadBalancer } from './least-request.js';
import { MaglevLoadBalancer } from './maglev.js';
import type { MetadataMatch } from './metadata-match.js';
import { PickingLoadBalancer } from './picking-balancer.js';
import { RandomLoadBalancer } from './random.js';
import { RingHashLoadBalancer } from './ring-hash.js';
import { RoundRobinLoadBalancer } from './round-robin.js';
import type { SlowStartHistory } from './slow-start.js';
import { SubsetLoadBalancer } from './subset.js';

export interface LoadBalancer {
  /** The balancer hashes requests (RING_HASH, MAGLEV): callers compute the hash only then. */
  readonly usesHash?: boolean;
  /** `hash`: the request's 53-bit hash, undefined when it has none; `match`: its subset metadata. */
  chooseHost(hash?: number, match?: MetadataMatch | null): UpstreamHost | null;
}

export interface LoadBalancerOptions {
  /** The load assignment (its overprovisioning factor). */
  cla?: ClusterLoadAssignment | undefined;
  /** Where slow start remembers hosts across configs (one per cluster name). */
  history?: SlowStartHistory | null | undefined;
  /** Overrides for tests (e.g. a fake clock). */
  config?: Partial<LbConfig>;
}

/**
 * The balancer of a cluster. Accepts a bare policy name too (`createLoadBalancer('RANDOM', hosts)`).
 * Throws on settings Envoy would reject (the cluster manager then leaves the cluster out).
 */
export function createLoadBalancer(cluster: Cluster | Cluster['lb_policy'], hosts: HostSet, opts: LoadBalancerOptions = {}): LoadBalancer {
  const c: Cluster = typeof cluster === 'object' ? cluster : { name: '', lb_policy: cluster };
  const cfg: LbConfig = { ...(typeof cluster === 'object' ? lbConfigOf(c, opts.cla) : { ...DEFAULT_LB_CONFIG, policy: c.lb_policy === 'CLUSTER_PROVIDED' || c.lb_policy === undefined ? 'ROUND_ROBIN' : c.lb_policy }), ...opts.config };
  const history = opts.history ?? null;
  const built: LoadBalancer[] = [];
  const make = (set: HostSet): LoadBalancer => {
    const lb = balancerFor(cfg, set, history);
    built.push(lb);
    return lb;
  };
  const subset = c.lb_subset_config;
  const lb =
    subset !== undefined && (subset.subset_selectors?.length ?? 0) > 0
      ? new SubsetLoadBalancer(hosts, subset, make, cfg.policy === 'RING_HASH' || cfg.policy === 'MAGLEV')
      : make(hosts);
  // The first hosts of a new cluster are not in slow start; hosts seen later are.
  for (const b of built) if (b instanceof PickingLoadBalancer) b.slowStartTracker?.seal();
  return lb;
}

function balancerFor(cfg: LbConfig, hosts: HostSet, history: SlowStartHistory | null): LoadBalancer {
  switch (cfg.policy) {
    case 'LEAST_REQUEST':
      return new LeastRequestLoadBalancer(hosts, cfg, history);
    case 'RANDOM':
      return new RandomLoadBalancer(hosts, cfg);
    case 'RING_HASH':
      return new RingHashLoadBalancer(hosts, cfg);
    case 'MAGLEV':
      return new MaglevLoadBalancer(hosts, cfg);
    default:
      return new RoundRobinLoadBalancer(hosts, cfg, history);
  }
}
