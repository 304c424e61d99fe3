/**
 * Upstream `outlierDetection` (spec §2.2.7) → the cluster's Envoy `outlier_detection`, field for
 * field (counts and percentages as UInt32Value wrappers, intervals as Durations).
 */
import type { Plugin } from '../../plugin.js';
import { envoyDuration } from '../timeout/index.js';

const WRAPPED = [
  ['consecutive5xx', 'consecutive_5xx'],
  ['maxEjectionPercent', 'max_ejection_percent'],
  ['enforcingConsecutive5xx', 'enforcing_consecutive_5xx'],
  ['enforcingSuccessRate', 'enforcing_success_rate'],
  ['successRateMinimumHosts', 'success_rate_minimum_hosts'],
  ['successRateRequestVolume', 'success_rate_request_volume'],
  ['successRateStdevFactor', 'success_rate_stdev_factor'],
  ['consecutiveGatewayFailure', 'consecutive_gateway_failure'],
  ['enforcingConsecutiveGatewayFailure', 'enforcing_consecutive_gateway_failure'],
  ['consecutiveLocalOriginFailure', 'consecutive_local_origin_failure'],
  ['enforcingConsecutiveLocalOriginFailure', 'enforcing_consecutive_local_origin_failure'],
  ['enforcingLocalOriginSuccessRate', 'enforcing_local_origin_success_rate'],
] as const;

export const outlierDetectionPlugin: Plugin = {
  name: 'outlier-detection',
  processUpstream(params, upstream, out) {
    const od = upstream.spec.outlierDetection;
    if (!od) return;
    const o: Record<string, unknown> = {};
    for (const [from, to] of WRAPPED) if (od[from] !== undefined) o[to] = { value: od[from] };
    const interval = envoyDuration(od.interval, params.report, 'outlierDetection.interval');
    if (interval) o.interval = interval;
    const base = envoyDuration(od.baseEjectionTime, params.report, 'outlierDetection.baseEjectionTime');
    if (base) o.base_ejection_time = base;
    if (od.splitExternalLocalOriginErrors) o.split_external_local_origin_errors = true;
    out.outlier_detection = o;
  },
};
