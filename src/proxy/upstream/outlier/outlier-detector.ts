/**
 * Outlier detection for one cluster (Envoy's passive health checking), with Envoy's algorithm:
 *
 * - Consecutive errors are counted inline as the router reports outcomes. Without
 *   `split_external_local_origin_errors`, a connect failure or reset counts as a 503 and a timeout
 *   as a 504; with it, they feed the separate local-origin counter and success rate instead, and a
 *   response counts as a successful connection. Reaching exactly `consecutive_5xx`,
 *   `consecutive_gateway_failure` (502/503/504) or `consecutive_local_origin_failure` ejects the host
 *   (subject to its `enforcing_*` percentage) and resets that counter.
 * - Every `interval`: ejected hosts whose time is up come back (their consecutive counters reset);
 *   hosts not ejected lower their ejection-time multiplier by one; each host's success-rate bucket is
 *   rotated; then success-rate ejection (hosts under mean − stdev_factor × stdev, among the hosts with
 *   at least `success_rate_request_volume` requests, when there are at least
 *   `success_rate_minimum_hosts` of them) and failure-percentage ejection run on the bucket of the
 *   interval that just ended.
 * - An ejection lasts `base_ejection_time` × the multiplier (which grows by one with each ejection),
 *   capped at `max_ejection_time`, plus up to `max_ejection_time_jitter`.
 * - `max_ejection_percent` bounds the ejected share of the cluster's hosts, counting the host about to
 *   be ejected; one host can always be ejected (Gloo's documented rule: "will eject at least one host
 *   regardless of the value"), unless the percentage is 0.
 * - A successful active health check of a host that is not failing active checks un-ejects it and
 *   clears its counters (`successful_active_health_check_uneject_host`, default true).
 *
 * The detector sets `HostMonitor.ejected` and calls the monitor's `onEjectionChange`; the owner turns
 * that into host flags and refreshes the host sets. The balancer never sees this object.
 */
import type { Logger } from '../../logger.js';
import type { ClusterStats } from '../../stats.js';
import type { Clock, Timer } from '../health/clock.js';
import type { CompiledOutlierDetection } from './outlier-config.js';
import { LocalFailure, type HostMonitor } from './host-monitor.js';

export const enum EjectionType {
  Consecutive5xx,
  ConsecutiveGatewayFailure,
  ConsecutiveLocalOriginFailure,
  SuccessRate,
  SuccessRateLocalOrigin,
  FailurePercentage,
  FailurePercentageLocalOrigin,
}

/** Envoy's stat suffix per ejection type (`outlier_detection.ejections_enforced_<suffix>`). */
const TYPE_STAT: Record<EjectionType, string> = {
  [EjectionType.Consecutive5xx]: 'consecutive_5xx',
  [EjectionType.ConsecutiveGatewayFailure]: 'consecutive_gateway_failure',
  [EjectionType.ConsecutiveLocalOriginFailure]: 'consecutive_local_origin_failure',
  [EjectionType.SuccessRate]: 'success_rate',
  [EjectionType.SuccessRateLocalOrigin]: 'local_origin_success_rate',
  [EjectionType.FailurePercentage]: 'failure_percentage',
  [EjectionType.FailurePercentageLocalOrigin]: 'local_origin_failure_percentage',
};

/** Names of the per-cluster outlier detection stats (Envoy's, `.` → `_`). */
export const OUTLIER_STAT_NAMES: readonly string[] = [
  'outlier_detection_ejections_active',
  'outlier_detection_ejections_overflow',
  'outlier_detection_ejections_enforced_total',
  ...Object.values(TYPE_STAT).flatMap((t) => [`outlier_detection_ejections_enforced_${t}`, `outlier_detection_ejections_detected_${t}`]),
];

type Stats = Record<string, number>;

export class OutlierDetector {
  readonly monitors = new Set<HostMonitor>();
  private timer: Timer | null = null;
  private ejectionsActive = 0;
  private stopped = false;
  /** The last sweep's success-rate mean and ejection threshold (-1 when not computed). */
  successRateAverage = -1;
  successRateEjectionThreshold = -1;
  localOriginSuccessRateAverage = -1;
  localOriginSuccessRateEjectionThreshold = -1;

  constructor(
    readonly config: CompiledOutlierDetection,
    private readonly cluster: string,
    private readonly clusterStats: ClusterStats,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    const s = this.stats;
    for (const n of OUTLIER_STAT_NAMES) s[n] ??= 0;
    s.outlier_detection_ejections_active = 0;
    this.arm();
  }

  private get stats(): Stats {
    return this.clusterStats as unknown as Stats;
  }

  add(m: HostMonitor): void {
    if (this.monitors.has(m)) return;
    m.resetOutlierState();
    m.detector = this;
    this.monitors.add(m);
  }

  remove(m: HostMonitor): void {
    if (!this.monitors.delete(m)) return;
    if (m.ejected) this.setActive(this.ejectionsActive - 1);
    m.detector = null;
    m.resetOutlierState();
  }

  /** Stops the interval timer and detaches every monitor (un-ejecting them). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    for (const m of [...this.monitors]) {
      const was = m.ejected;
      this.remove(m);
      if (was) m.onEjectionChange?.();
    }
  }

  // ---- reports from the router (hot path) ----

  putHttpStatus(m: HostMonitor, code: number): void {
    if (this.config.splitExternalLocalOriginErrors) this.localOriginNoFailure(m);
    this.putCode(m, code);
  }

  putLocalFailure(m: HostMonitor, kind: LocalFailure): void {
    if (this.config.splitExternalLocalOriginErrors) {
      m.localTotal++;
      if (++m.consecutiveLocalOriginFailure === this.config.consecutiveLocalOriginFailure) {
        this.onConsecutiveError(m, EjectionType.ConsecutiveLocalOriginFailure);
      }
      return;
    }
    this.putCode(m, kind === LocalFailure.Timeout ? 504 : 503);
  }

  private localOriginNoFailure(m: HostMonitor): void {
    m.localTotal++;
    m.localSuccess++;
    m.consecutiveLocalOriginFailure = 0;
  }

  private putCode(m: HostMonitor, code: number): void {
    m.extTotal++;
    if (code < 500 || code > 599) {
      m.extSuccess++;
      m.consecutive5xx = 0;
      m.consecutiveGatewayFailure = 0;
      return;
    }
    if (code === 502 || code === 503 || code === 504) {
      if (++m.consecutiveGatewayFailure === this.config.consecutiveGatewayFailure) {
        this.onConsecutiveError(m, EjectionType.ConsecutiveGatewayFailure);
      }
    } else {
      m.consecutiveGatewayFailure = 0;
    }
    if (++m.consecutive5xx === this.config.consecutive5xx) this.onConsecutiveError(m, EjectionType.Consecutive5xx);
  }

  private onConsecutiveError(m: HostMonitor, type: EjectionType): void {
    if (this.stopped || !this.monitors.has(m) || m.ejected) return;
    this.count(`outlier_detection_ejections_detected_${TYPE_STAT[type]}`);
    this.eject(m, type);
    // Reset the counter so a new bout of errors is needed, whether or not the host was ejected.
    if (type === EjectionType.Consecutive5xx) m.consecutive5xx = 0;
    else if (type === EjectionType.ConsecutiveGatewayFailure) m.consecutiveGatewayFailure = 0;
    else m.consecutiveLocalOriginFailure = 0;
  }

  // ---- ejection ----

  private enforced(type: EjectionType): number {
    const c = this.config;
    switch (type) {
      case EjectionType.Consecutive5xx:
        return c.enforcingConsecutive5xx;
      case EjectionType.ConsecutiveGatewayFailure:
        return c.enforcingConsecutiveGatewayFailure;
      case EjectionType.ConsecutiveLocalOriginFailure:
        return c.enforcingConsecutiveLocalOriginFailure;
      case EjectionType.SuccessRate:
        return c.enforcingSuccessRate;
      case EjectionType.SuccessRateLocalOrigin:
        return c.enforcingLocalOriginSuccessRate;
      case EjectionType.FailurePercentage:
        return c.enforcingFailurePercentage;
      case EjectionType.FailurePercentageLocalOrigin:
        return c.enforcingFailurePercentageLocalOrigin;
    }
  }

  /** Whether one more host may be ejected under `max_ejection_percent`. */
  private mayEject(): boolean {
    const max = this.config.maxEjectionPercent;
    if (max <= 0) return false;
    if (this.ejectionsActive === 0) return true;
    return (100 * (this.ejectionsActive + 1)) / this.monitors.size <= max;
  }

  private eject(m: HostMonitor, type: EjectionType): void {
    if (!this.mayEject()) {
      this.count('outlier_detection_ejections_overflow');
      return;
    }
    const pct = this.enforced(type);
    if (pct < 100 && !(this.clock.random() * 100 < pct)) return;
    const c = this.config;
    this.count('outlier_detection_ejections_enforced_total');
    this.count(`outlier_detection_ejections_enforced_${TYPE_STAT[type]}`);
    m.ejected = true;
    m.numEjections++;
    m.lastEjectionTime = this.clock.now();
    m.ejectionJitterMs = c.maxEjectionTimeJitterMs > 0 ? Math.floor(this.clock.random() * c.maxEjectionTimeJitterMs) : 0;
    // The multiplier stops growing once base × multiplier passes the maximum.
    if (m.ejectTimeBackoff * c.baseEjectionTimeMs < c.maxEjectionTimeMs + c.baseEjectionTimeMs) m.ejectTimeBackoff++;
    this.setActive(this.ejectionsActive + 1);
    this.logger.info('upstream host ejected by outlier detection', {
      cluster: this.cluster,
      host: m.authority,
      reason: TYPE_STAT[type],
      ejectionMs: this.ejectionTimeMs(m),
      ejections: m.numEjections,
    });
    m.onEjectionChange?.();
  }

  /** How long the current (or next) ejection of `m` lasts. */
  ejectionTimeMs(m: HostMonitor): number {
    const c = this.config;
    return Math.min(c.baseEjectionTimeMs * m.ejectTimeBackoff, c.maxEjectionTimeMs) + m.ejectionJitterMs;
  }

  private uneject(m: HostMonitor): void {
    m.ejected = false;
    m.consecutive5xx = 0;
    m.consecutiveGatewayFailure = 0;
    m.consecutiveLocalOriginFailure = 0;
    this.setActive(this.ejectionsActive - 1);
    this.logger.info('upstream host returned from outlier ejection', { cluster: this.cluster, host: m.authority });
    m.onEjectionChange?.();
  }

  /** A successful active health check of a host that is not failing active checks. */
  successfulActiveHealthCheck(m: HostMonitor): void {
    if (!this.config.successfulActiveHealthCheckUnejectHost || !this.monitors.has(m)) return;
    if (m.ejected) this.uneject(m);
    m.consecutive5xx = m.consecutiveGatewayFailure = m.consecutiveLocalOriginFailure = 0;
  }

  private setActive(n: number): void {
    this.ejectionsActive = Math.max(0, n);
    this.stats.outlier_detection_ejections_active = this.ejectionsActive;
  }

  private count(name: string): void {
    const s = this.stats;
    s[name] = (s[name] ?? 0) + 1;
  }

  // ---- the interval sweep ----

  private arm(): void {
    if (this.stopped) return;
    this.timer = this.clock.schedule(this.config.intervalMs, () => this.onInterval());
  }

  /** Runs one sweep now (the interval timer calls it). */
  onInterval(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (const m of this.monitors) {
      if (!m.ejected) {
        if (m.ejectTimeBackoff > 0) m.ejectTimeBackoff--;
      } else if (now - m.lastEjectionTime >= this.ejectionTimeMs(m)) {
        this.uneject(m);
      }
      m.lastExtTotal = m.extTotal;
      m.lastExtSuccess = m.extSuccess;
      m.lastLocalTotal = m.localTotal;
      m.lastLocalSuccess = m.localSuccess;
      m.extTotal = m.extSuccess = m.localTotal = m.localSuccess = 0;
    }
    this.sweep(false);
    this.sweep(true);
    this.arm();
  }

  private sweep(local: boolean): void {
    const c = this.config;
    if (local) this.localOriginSuccessRateAverage = this.localOriginSuccessRateEjectionThreshold = -1;
    else this.successRateAverage = this.successRateEjectionThreshold = -1;
    if (this.monitors.size < c.successRateMinimumHosts && this.monitors.size < c.failurePercentageMinimumHosts) return;
    const srHosts: [HostMonitor, number][] = [];
    const fpHosts: [HostMonitor, number][] = [];
    let sum = 0;
    for (const m of this.monitors) {
      if (local) m.localOriginSuccessRate = -1;
      else m.successRate = -1;
      if (m.ejected) continue;
      const total = local ? m.lastLocalTotal : m.lastExtTotal;
      if (total === 0) continue;
      const rate = (100 * (local ? m.lastLocalSuccess : m.lastExtSuccess)) / total;
      if (total >= Math.min(c.successRateRequestVolume, c.failurePercentageRequestVolume)) {
        if (local) m.localOriginSuccessRate = rate;
        else m.successRate = rate;
      }
      if (total >= c.successRateRequestVolume) {
        srHosts.push([m, rate]);
        sum += rate;
      }
      if (total >= c.failurePercentageRequestVolume) fpHosts.push([m, rate]);
    }
    if (srHosts.length > 0 && srHosts.length >= c.successRateMinimumHosts) {
      const mean = sum / srHosts.length;
      let variance = 0;
      for (const [, r] of srHosts) variance += (r - mean) ** 2;
      const stdev = Math.sqrt(variance / srHosts.length);
      const threshold = mean - c.successRateStdevFactor * stdev;
      if (local) {
        this.localOriginSuccessRateAverage = mean;
        this.localOriginSuccessRateEjectionThreshold = threshold;
      } else {
        this.successRateAverage = mean;
        this.successRateEjectionThreshold = threshold;
      }
      const type = local ? EjectionType.SuccessRateLocalOrigin : EjectionType.SuccessRate;
      for (const [m, r] of srHosts) {
        if (r < threshold && !m.ejected) {
          this.count(`outlier_detection_ejections_detected_${TYPE_STAT[type]}`);
          this.eject(m, type);
        }
      }
    }
    if (fpHosts.length > 0 && fpHosts.length >= c.failurePercentageMinimumHosts) {
      const type = local ? EjectionType.FailurePercentageLocalOrigin : EjectionType.FailurePercentage;
      for (const [m, r] of fpHosts) {
        if (100 - r >= c.failurePercentageThreshold && !m.ejected) {
          this.count(`outlier_detection_ejections_detected_${TYPE_STAT[type]}`);
          this.eject(m, type);
        }
      }
    }
  }
}
