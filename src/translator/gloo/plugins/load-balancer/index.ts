/**
 * Upstream `loadBalancerConfig` (spec §2.2.8) → the cluster's `lb_policy` (ROUND_ROBIN,
 * LEAST_REQUEST with `least_request_lb_config.choice_count`, RANDOM, RING_HASH with
 * `ring_hash_lb_config {minimum_ring_size, maximum_ring_size}`, MAGLEV), `slow_start_config`
 * (round robin and least request: `slow_start_window`, `aggression`, `min_weight_percent`) and
 * `common_lb_config {healthy_panic_threshold, update_merge_window, locality_weighted_lb_config,
 * consistent_hashing_lb_config.use_hostname_for_hashing, close_connections_on_host_set_change}`.
 */
import type { Plugin } from '../../plugin.js';
import type { Cluster, SlowStartConfig } from '../../../../xds/envoy-types.js';
import type { ProblemSink } from '../../plugin.js';
import { envoyDuration } from '../timeout/index.js';

interface GlooSlowStart {
  slowStartWindow?: string | undefined;
  aggression?: number | undefined;
  minWeightPercent?: number | undefined;
}

function slowStart(s: GlooSlowStart, report: ProblemSink): SlowStartConfig {
  const out: SlowStartConfig = {};
  const w = envoyDuration(s.slowStartWindow, report, 'slowStartConfig.slowStartWindow');
  if (w) out.slow_start_window = w;
  if (s.aggression !== undefined) out.aggression = { default_value: s.aggression, runtime_key: 'upstream.slow_start.aggression' };
  if (s.minWeightPercent !== undefined) out.min_weight_percent = { value: s.minWeightPercent };
  return out;
}

export const loadBalancerPlugin: Plugin = {
  name: 'load-balancer',
  processUpstream(params, upstream, out) {
    const lb = upstream.spec.loadBalancerConfig;
    if (!lb) return;
    const r = params.report;
    const common: NonNullable<Cluster['common_lb_config']> = {};
    if (lb.healthyPanicThreshold !== undefined) {
      if (lb.healthyPanicThreshold < 0 || lb.healthyPanicThreshold > 100) {
        r.error(`loadBalancerConfig.healthyPanicThreshold must be between 0 and 100, got ${lb.healthyPanicThreshold}`);
        return;
      }
      common.healthy_panic_threshold = { value: lb.healthyPanicThreshold };
    }
    const umw = envoyDuration(lb.updateMergeWindow, r, 'loadBalancerConfig.updateMergeWindow');
    if (umw) common.update_merge_window = umw;
    if (lb.localityWeightedLbConfig) common.locality_weighted_lb_config = {};
    if (lb.useHostnameForHashing) common.consistent_hashing_lb_config = { use_hostname_for_hashing: true };
    if (lb.closeConnectionsOnHostSetChange) common.close_connections_on_host_set_change = true;
    if (Object.keys(common).length > 0) out.common_lb_config = common;
    if (lb.roundRobin) {
      out.lb_policy = 'ROUND_ROBIN';
      if (lb.roundRobin.slowStartConfig) out.round_robin_lb_config = { slow_start_config: slowStart(lb.roundRobin.slowStartConfig, r) };
    } else if (lb.leastRequest) {
      out.lb_policy = 'LEAST_REQUEST';
      const c: NonNullable<Cluster['least_request_lb_config']> = {};
      if (lb.leastRequest.choiceCount) c.choice_count = { value: lb.leastRequest.choiceCount };
      if (lb.leastRequest.slowStartConfig) c.slow_start_config = slowStart(lb.leastRequest.slowStartConfig, r);
      if (Object.keys(c).length > 0) out.least_request_lb_config = c;
    } else if (lb.random) out.lb_policy = 'RANDOM';
    else if (lb.ringHash) {
      out.lb_policy = 'RING_HASH';
      const rc = lb.ringHash.ringHashConfig;
      const c: NonNullable<Cluster['ring_hash_lb_config']> = {};
      if (rc?.minimumRingSize !== undefined) c.minimum_ring_size = { value: String(rc.minimumRingSize) };
      if (rc?.maximumRingSize !== undefined) c.maximum_ring_size = { value: String(rc.maximumRingSize) };
      out.ring_hash_lb_config = c;
    } else if (lb.maglev) {
      out.lb_policy = 'MAGLEV';
      out.maglev_lb_config = {};
    }
  },
};
