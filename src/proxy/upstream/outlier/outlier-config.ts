/**
 * Envoy's `config.cluster.v3.OutlierDetection`, compiled with Envoy's defaults: consecutive 5xx 5
 * (enforced 100 %), consecutive gateway failure 5 (enforced 0 %), consecutive local-origin failure 5
 * (enforced 100 %, split mode only), interval 10 s, base ejection time 30 s, max ejection time
 * max(300 s, base), max ejection percent 10, success rate: 5 hosts, 100 requests, stdev factor 1900
 * (÷ 1000), enforced 100 %; failure percentage: threshold 85, 5 hosts, 50 requests, enforced 0 %.
 * A `max_ejection_time` below `base_ejection_time` throws (Envoy rejects the cluster).
 *
 * Example: `compileOutlierDetection({consecutive_5xx: {value: 3}, base_ejection_time: {seconds: '1'}})`.
 */
import type { Duration } from '../../../xds/envoy-types.js';
import { durationToMs } from '../../../xds/envoy-types.js';

type Wrapped = { value?: number } | undefined;

/** The `config.cluster.v3.OutlierDetection` fields gateway-proxy reads, in the decoded object form. */
export interface EnvoyOutlierDetection {
  consecutive_5xx?: Wrapped;
  interval?: Duration;
  base_ejection_time?: Duration;
  max_ejection_percent?: Wrapped;
  enforcing_consecutive_5xx?: Wrapped;
  enforcing_success_rate?: Wrapped;
  success_rate_minimum_hosts?: Wrapped;
  success_rate_request_volume?: Wrapped;
  success_rate_stdev_factor?: Wrapped;
  consecutive_gateway_failure?: Wrapped;
  enforcing_consecutive_gateway_failure?: Wrapped;
  split_external_local_origin_errors?: boolean;
  consecutive_local_origin_failure?: Wrapped;
  enforcing_consecutive_local_origin_failure?: Wrapped;
  enforcing_local_origin_success_rate?: Wrapped;
  failure_percentage_threshold?: Wrapped;
  enforcing_failure_percentage?: Wrapped;
  enforcing_failure_percentage_local_origin?: Wrapped;
  failure_percentage_minimum_hosts?: Wrapped;
  failure_percentage_request_volume?: Wrapped;
  max_ejection_time?: Duration;
  max_ejection_time_jitter?: Duration;
  successful_active_health_check_uneject_host?: { value?: boolean };
}

export interface CompiledOutlierDetection {
  readonly intervalMs: number;
  readonly baseEjectionTimeMs: number;
  readonly maxEjectionTimeMs: number;
  readonly maxEjectionTimeJitterMs: number;
  readonly maxEjectionPercent: number;
  readonly consecutive5xx: number;
  readonly consecutiveGatewayFailure: number;
  readonly consecutiveLocalOriginFailure: number;
  readonly enforcingConsecutive5xx: number;
  readonly enforcingConsecutiveGatewayFailure: number;
  readonly enforcingConsecutiveLocalOriginFailure: number;
  readonly enforcingSuccessRate: number;
  readonly enforcingLocalOriginSuccessRate: number;
  readonly successRateMinimumHosts: number;
  readonly successRateRequestVolume: number;
  /** Already divided by 1000 (1900 → 1.9). */
  readonly successRateStdevFactor: number;
  readonly failurePercentageThreshold: number;
  readonly enforcingFailurePercentage: number;
  readonly enforcingFailurePercentageLocalOrigin: number;
  readonly failurePercentageMinimumHosts: number;
  readonly failurePercentageRequestVolume: number;
  readonly splitExternalLocalOriginErrors: boolean;
  readonly successfulActiveHealthCheckUnejectHost: boolean;
}

const w = (v: Wrapped, d: number): number => (v?.value === undefined ? d : Number(v.value));
const pct = (v: Wrapped, d: number): number => Math.min(100, Math.max(0, w(v, d)));

export function compileOutlierDetection(od: EnvoyOutlierDetection): CompiledOutlierDetection {
  const positive = (d: Duration | undefined, def: number): number => {
    const ms = durationToMs(d);
    return ms !== undefined && ms > 0 ? ms : def;
  };
  const base = positive(od.base_ejection_time, 30_000);
  const maxSet = durationToMs(od.max_ejection_time);
  if (maxSet !== undefined && maxSet > 0 && maxSet < base) {
    throw new Error("outlier detector's max_ejection_time cannot be smaller than base_ejection_time");
  }
  return {
    intervalMs: positive(od.interval, 10_000),
    baseEjectionTimeMs: base,
    maxEjectionTimeMs: maxSet !== undefined && maxSet > 0 ? maxSet : Math.max(300_000, base),
    maxEjectionTimeJitterMs: durationToMs(od.max_ejection_time_jitter) ?? 0,
    maxEjectionPercent: pct(od.max_ejection_percent, 10),
    consecutive5xx: w(od.consecutive_5xx, 5),
    consecutiveGatewayFailure: w(od.consecutive_gateway_failure, 5),
    consecutiveLocalOriginFailure: w(od.consecutive_local_origin_failure, 5),
    enforcingConsecutive5xx: pct(od.enforcing_consecutive_5xx, 100),
    enforcingConsecutiveGatewayFailure: pct(od.enforcing_consecutive_gateway_failure, 0),
    enforcingConsecutiveLocalOriginFailure: pct(od.enforcing_consecutive_local_origin_failure, 100),
    enforcingSuccessRate: pct(od.enforcing_success_rate, 100),
    enforcingLocalOriginSuccessRate: pct(od.enforcing_local_origin_success_rate, 100),
    successRateMinimumHosts: w(od.success_rate_minimum_hosts, 5),
    successRateRequestVolume: w(od.success_rate_request_volume, 100),
    successRateStdevFactor: w(od.success_rate_stdev_factor, 1900) / 1000,
    failurePercentageThreshold: pct(od.failure_percentage_threshold, 85),
    enforcingFailurePercentage: pct(od.enforcing_failure_percentage, 0),
    enforcingFailurePercentageLocalOrigin: pct(od.enforcing_failure_percentage_local_origin, 0),
    failurePercentageMinimumHosts: w(od.failure_percentage_minimum_hosts, 5),
    failurePercentageRequestVolume: w(od.failure_percentage_request_volume, 50),
    splitExternalLocalOriginErrors: od.split_external_local_origin_errors === true,
    successfulActiveHealthCheckUnejectHost: od.successful_active_health_check_uneject_host?.value ?? true,
  };
}
