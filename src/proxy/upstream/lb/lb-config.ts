/**
 * A Cluster's load balancing settings read once per config, with Envoy's defaults: the policy,
 * `common_lb_config` (panic threshold 50%, locality weighted balancing), the load assignment's
 * overprovisioning factor (140%), least request (2 choices, active request bias 1.0), slow start
 * (aggression 1.0, minimum weight 10%), ring hash sizes (1024 … 8M) and the maglev table size (65537).
 *
 * Example: `lbConfigOf(cluster, cla)` → `{policy: 'ROUND_ROBIN', panicThreshold: 50, …}`.
 */
import type { Cluster, ClusterLoadAssignment, SlowStartConfig } from '../../../xds/envoy-types.js';
import { durationToMs } from '../../../xds/envoy-types.js';

export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV';

export interface SlowStart {
  windowMs: number;
  aggression: number;
  /** Fraction in (0, 1]: the least share a host in slow start gets. */
  minWeight: number;
}

export interface LbConfig {
  policy: LbPolicy;
  /** Percent in [0, 100]. */
  panicThreshold: number;
  /** Percent (140 = Envoy's 1.4). */
  overprovisioningFactor: number;
  weightedPriorityHealth: boolean;
  localityWeighted: boolean;
  choiceCount: number;
  activeRequestBias: number;
  slowStart: SlowStart | null;
  minRingSize: number;
  maxRingSize: number;
  maglevTableSize: number;
  useHostnameForHashing: boolean;
  /** Monotonic milliseconds (tests pass a fake clock). */
  now: () => number;
}

export const DEFAULT_MAX_RING_SIZE = 8 * 1024 * 1024;
export const DEFAULT_MAGLEV_TABLE_SIZE = 65537;

export const DEFAULT_LB_CONFIG: Readonly<LbConfig> = {
  policy: 'ROUND_ROBIN',
  panicThreshold: 50,
  overprovisioningFactor: 140,
  weightedPriorityHealth: false,
  localityWeighted: false,
  choiceCount: 2,
  activeRequestBias: 1,
  slowStart: null,
  minRingSize: 1024,
  maxRingSize: DEFAULT_MAX_RING_SIZE,
  maglevTableSize: DEFAULT_MAGLEV_TABLE_SIZE,
  useHostnameForHashing: false,
  now: () => performance.now(),
};

/** Throws on settings Envoy rejects (the cluster is then left out, as Envoy NACKs it). */
export function lbConfigOf(c: Cluster, cla?: ClusterLoadAssignment): LbConfig {
  const policy = c.lb_policy ?? 'ROUND_ROBIN';
  if (policy === 'CLUSTER_PROVIDED') throw new Error('lb_policy CLUSTER_PROVIDED is not supported');
  const common = c.common_lb_config;
  const out: LbConfig = { ...DEFAULT_LB_CONFIG, policy };
  const panic = common?.healthy_panic_threshold?.value;
  if (panic !== undefined) out.panicThreshold = Math.min(100, Math.max(0, Number(panic)));
  out.localityWeighted = common?.locality_weighted_lb_config !== undefined;
  out.useHostnameForHashing = common?.consistent_hashing_lb_config?.use_hostname_for_hashing === true;
  const of = cla?.policy?.overprovisioning_factor?.value;
  if (of !== undefined && Number(of) > 0) out.overprovisioningFactor = Number(of);
  out.weightedPriorityHealth = cla?.policy?.weighted_priority_health === true;

  const lr = c.least_request_lb_config;
  if (lr?.choice_count?.value !== undefined) {
    const n = Number(lr.choice_count.value);
    if (n < 2) throw new Error('least_request_lb_config.choice_count must be at least 2');
    out.choiceCount = n;
  }
  const bias = lr?.active_request_bias?.default_value;
  if (bias !== undefined && Number.isFinite(bias) && bias >= 0) out.activeRequestBias = bias;

  const ss = policy === 'LEAST_REQUEST' ? lr?.slow_start_config : policy === 'ROUND_ROBIN' ? c.round_robin_lb_config?.slow_start_config : undefined;
  out.slowStart = slowStartOf(ss);

  const rh = c.ring_hash_lb_config;
  if (rh?.minimum_ring_size?.value !== undefined) out.minRingSize = Number(rh.minimum_ring_size.value);
  if (rh?.maximum_ring_size?.value !== undefined) out.maxRingSize = Number(rh.maximum_ring_size.value);
  if (out.maxRingSize > DEFAULT_MAX_RING_SIZE) throw new Error(`ring_hash_lb_config.maximum_ring_size must be at most ${DEFAULT_MAX_RING_SIZE}`);
  if (out.minRingSize < 1 || out.minRingSize > out.maxRingSize) {
    throw new Error(`ring_hash_lb_config: minimum_ring_size (${out.minRingSize}) must be between 1 and maximum_ring_size (${out.maxRingSize})`);
  }
  const ts = c.maglev_lb_config?.table_size?.value;
  if (ts !== undefined) {
    const n = Number(ts);
    if (!isPrime(n) || n > 5000011) throw new Error(`maglev_lb_config.table_size must be a prime number up to 5000011, got ${ts}`);
    out.maglevTableSize = n;
  }
  return out;
}

function slowStartOf(s: SlowStartConfig | undefined): SlowStart | null {
  if (s === undefined) return null;
  const windowMs = durationToMs(s.slow_start_window) ?? 0;
  if (windowMs <= 0) return null;
  const a = s.aggression?.default_value;
  const aggression = a !== undefined && Number.isFinite(a) && a > 0 ? a : 1;
  const min = s.min_weight_percent?.value;
  const minWeight = min !== undefined && min >= 0 ? Math.min(100, min) / 100 : 0.1;
  return { windowMs, aggression, minWeight };
}

function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
