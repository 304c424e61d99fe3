/**
 * The per-endpoint record the router reports every upstream outcome to: Envoy's per-host counters
 * (`rq_total`, `rq_success`, `rq_error`, `rq_timeout`, `cx_connect_fail` in the admin `/clusters`
 * page) and, when the cluster has `outlier_detection`, the passive health state of the host
 * (consecutive 5xx / gateway failure / local-origin failure counters, the success-rate buckets of
 * the current interval, the ejection state). One record lives per (cluster, address:port) and
 * survives config updates; every `UpstreamHost` built for that endpoint points to it.
 *
 * The router's calls are the hot path: each is a few integer increments and, when the cluster has
 * outlier detection, one method call on the detector. Nothing allocates.
 *
 * Example (router): `host.monitor.onHttpStatus(503)`; `host.monitor.onLocalFailure(LocalFailure.ConnectFailed)`.
 */
import type { OutlierDetector } from './outlier-detector.js';

/** A failure Envoy calls "locally originated": the request got no response from the host. */
export const enum LocalFailure {
  /** The connection could not be established (refused, unreachable, connect timeout). */
  ConnectFailed,
  /** The connection was reset or closed before the response headers. */
  Reset,
  /** The route or per-try timeout fired before the response headers. */
  Timeout,
}

export class HostMonitor {
  constructor(
    /** `address:port` of the endpoint (for logs and the admin page). */
    readonly authority = '',
  ) {}

  rqTotal = 0;
  rqSuccess = 0;
  rqError = 0;
  rqTimeout = 0;
  cxConnectFail = 0;

  /** The cluster's outlier detector; null when the cluster has no `outlier_detection`. */
  detector: OutlierDetector | null = null;
  /** Called when this endpoint's ejection state changed (the owner updates the hosts' flags). */
  onEjectionChange: (() => void) | null = null;

  // Outlier detection state (Envoy's DetectorHostMonitorImpl).
  consecutive5xx = 0;
  consecutiveGatewayFailure = 0;
  consecutiveLocalOriginFailure = 0;
  /** Success-rate bucket of the current interval (externally / locally originated). */
  extTotal = 0;
  extSuccess = 0;
  localTotal = 0;
  localSuccess = 0;
  /** The bucket of the last completed interval, read by the success-rate sweep. */
  lastExtTotal = 0;
  lastExtSuccess = 0;
  lastLocalTotal = 0;
  lastLocalSuccess = 0;
  /** Ejected by outlier detection (Envoy's FAILED_OUTLIER_CHECK). */
  ejected = false;
  numEjections = 0;
  /** Multiplier of the base ejection time; grows with each ejection, shrinks while healthy. */
  ejectTimeBackoff = 0;
  lastEjectionTime = 0;
  ejectionJitterMs = 0;
  /** Success rates of the last sweep, -1 when not computed (shown by `/clusters`). */
  successRate = -1;
  localOriginSuccessRate = -1;

  /** An upstream response arrived with this status (each attempt, before any retry decision). */
  onHttpStatus(code: number): void {
    this.rqTotal++;
    if (code >= 500) this.rqError++;
    else this.rqSuccess++;
    const d = this.detector;
    if (d !== null) d.putHttpStatus(this, code);
  }

  /** The attempt ended without response headers: connect failure, reset or timeout. */
  onLocalFailure(kind: LocalFailure): void {
    this.rqTotal++;
    this.rqError++;
    if (kind === LocalFailure.ConnectFailed) this.cxConnectFail++;
    else if (kind === LocalFailure.Timeout) this.rqTimeout++;
    const d = this.detector;
    if (d !== null) d.putLocalFailure(this, kind);
  }

  /** Clears the outlier state (detector added, removed or reconfigured). */
  resetOutlierState(): void {
    this.consecutive5xx = this.consecutiveGatewayFailure = this.consecutiveLocalOriginFailure = 0;
    this.extTotal = this.extSuccess = this.localTotal = this.localSuccess = 0;
    this.lastExtTotal = this.lastExtSuccess = this.lastLocalTotal = this.lastLocalSuccess = 0;
    this.ejected = false;
    this.numEjections = 0;
    this.ejectTimeBackoff = 0;
    this.ejectionJitterMs = 0;
    this.successRate = -1;
    this.localOriginSuccessRate = -1;
  }
}
