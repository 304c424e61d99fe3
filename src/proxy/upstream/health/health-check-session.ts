/**
 * One active health check of one endpoint (Envoy's ActiveHealthCheckSession): runs the probe on
 * Envoy's schedule and turns results into this check's share of the host's health flags.
 *
 * - A new session starts failed and pending (FAILED_ACTIVE_HC | PENDING_ACTIVE_HC); its very first
 *   success makes it healthy at once, later ones only after `healthy_threshold` successes in a row.
 * - Network failures and timeouts count towards `unhealthy_threshold`; an answer that says
 *   "unhealthy" (unexpected HTTP status, gRPC NOT_SERVING) fails the host at once, unless the status
 *   is one of the `retriable_statuses`.
 * - The first check runs at once, or after a random delay up to `initial_jitter`. Each next check is
 *   scheduled when the previous one ends: `no_traffic_interval` while the cluster has had no traffic
 *   (`no_traffic_healthy_interval` for a healthy host), else `interval` for a healthy result,
 *   `unhealthy_interval` for a failed one, and the edge intervals while a threshold is being counted;
 *   plus `interval_jitter` and `interval_jitter_percent` of random delay.
 * - A check that has not answered within `timeout` fails (network timeout, ACTIVE_HC_TIMEOUT) and its
 *   connection is closed.
 */
import type { Clock, Timer } from './clock.js';
import type { CompiledHealthCheck } from './health-check-config.js';
import { FailureType, type Probe, type ProbeResult } from './probes/probe.js';

export const enum Transition {
  Unchanged,
  Changed,
  /** A threshold is being counted: the health will change if the next results agree. */
  ChangePending,
}

export interface SessionOwner {
  readonly clock: Clock;
  /** The cluster has carried traffic (Envoy: it has made a connection). */
  hasTraffic(): boolean;
  /** A check is starting. */
  onAttempt(session: HealthCheckSession): void;
  /**
   * A check ended. `transition` says whether this session's flags changed (leaving the pending state
   * counts); `first` marks the session's first result; `flipped` says its healthy/unhealthy verdict changed.
   */
  onResult(session: HealthCheckSession, result: ProbeResult, transition: Transition, first: boolean, flipped: boolean): void;
}

const TIMED_OUT: ProbeResult = Object.freeze({ healthy: false, failure: FailureType.Timeout, reason: 'timeout' });

export class HealthCheckSession {
  /** This check says the host is unhealthy (FAILED_ACTIVE_HC). */
  failed = true;
  /** No result yet (PENDING_ACTIVE_HC). */
  pending = true;
  /** Failed because the last check timed out (ACTIVE_HC_TIMEOUT). */
  timedOut = false;
  /** The host answered `x-envoy-immediate-health-check-fail` (EXCLUDED_VIA_IMMEDIATE_HC_FAIL). */
  excluded = false;
  /** The last result, for the admin page and logs. */
  lastResult: ProbeResult | null = null;

  private firstCheck = true;
  private numHealthy = 0;
  private numUnhealthy = 0;
  private intervalTimer: Timer | null = null;
  private timeoutTimer: Timer | null = null;
  /** Identifies the check in flight; a result or timeout of an older one is ignored. */
  private seq = 0;
  private stopped = false;
  private readonly firstResult: Promise<void>;
  private resolveFirst!: () => void;

  constructor(
    readonly check: CompiledHealthCheck,
    private readonly probe: Probe,
    private readonly owner: SessionOwner,
  ) {
    this.firstResult = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  /** Starts checking: at once, or after a random part of `initial_jitter`. */
  start(): void {
    if (this.check.initialJitterMs <= 0) this.runCheck();
    else this.intervalTimer = this.owner.clock.schedule(this.jittered(0, this.check.initialJitterMs), () => this.runCheck());
  }

  /** Resolves after the first result (or when the session stops). */
  whenChecked(): Promise<void> {
    return this.firstResult;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.seq++;
    this.intervalTimer?.cancel();
    this.timeoutTimer?.cancel();
    this.intervalTimer = this.timeoutTimer = null;
    this.probe.close();
    this.resolveFirst();
  }

  private runCheck(): void {
    this.intervalTimer = null;
    if (this.stopped) return;
    const seq = ++this.seq;
    this.owner.onAttempt(this);
    this.timeoutTimer = this.owner.clock.schedule(this.check.timeoutMs, () => {
      if (seq !== this.seq || this.stopped) return;
      this.seq++;
      this.timeoutTimer = null;
      this.probe.abort();
      this.handle(TIMED_OUT);
    });
    this.probe.run().then(
      (r) => {
        if (seq !== this.seq || this.stopped) return;
        this.seq++;
        this.timeoutTimer?.cancel();
        this.timeoutTimer = null;
        this.handle(r);
      },
      () => undefined,
    );
  }

  private handle(r: ProbeResult): void {
    this.lastResult = r;
    const first = this.firstCheck;
    const wasFailed = this.failed;
    const t = r.healthy ? this.onSuccess(r) : this.onFailure(r);
    this.owner.onResult(this, r, t, first, wasFailed !== this.failed);
    this.resolveFirst();
    if (this.stopped) return;
    this.intervalTimer = this.owner.clock.schedule(this.nextInterval(r.healthy, t), () => this.runCheck());
  }

  private onSuccess(r: ProbeResult): Transition {
    this.numUnhealthy = 0;
    if (r.immediateFail) this.excluded = true;
    let t = Transition.Unchanged;
    if (this.failed) {
      if (this.firstCheck || ++this.numHealthy === this.check.healthyThreshold) {
        this.failed = false;
        this.timedOut = false;
        this.excluded = false;
        t = Transition.Changed;
      } else {
        t = Transition.ChangePending;
      }
    }
    return this.clearPending(t);
  }

  private onFailure(r: ProbeResult): Transition {
    this.numHealthy = 0;
    if (r.immediateFail) this.excluded = true;
    let t = Transition.Unchanged;
    if (!this.failed) {
      const counted = r.failure === FailureType.Network || r.failure === FailureType.Timeout || r.retriable === true;
      if (!counted || ++this.numUnhealthy === this.check.unhealthyThreshold) {
        this.failed = true;
        t = Transition.Changed;
      } else {
        t = Transition.ChangePending;
      }
    }
    this.timedOut = r.failure === FailureType.Timeout && this.failed;
    return this.clearPending(t);
  }

  private clearPending(t: Transition): Transition {
    this.firstCheck = false;
    if (!this.pending) return t;
    this.pending = false;
    // The host leaves the pending state even if its health did not change.
    return Transition.Changed;
  }

  /** Envoy's HealthCheckerImplBase::interval(). */
  nextInterval(healthy: boolean, t: Transition): number {
    const c = this.check;
    let base: number;
    if (this.owner.hasTraffic()) {
      if (!healthy) base = t === Transition.ChangePending ? c.unhealthyEdgeIntervalMs : c.unhealthyIntervalMs;
      else base = t === Transition.ChangePending ? c.healthyEdgeIntervalMs : c.intervalMs;
    } else {
      base = healthy && t !== Transition.ChangePending ? c.noTrafficHealthyIntervalMs : c.noTrafficIntervalMs;
    }
    return this.jittered(base, c.intervalJitterMs);
  }

  private jittered(base: number, jitterMs: number): number {
    const clock = this.owner.clock;
    let ms = base;
    const percentMod = Math.floor((this.check.intervalJitterPercent * base) / 100);
    if (percentMod > 0) ms += Math.floor(clock.random() * percentMod);
    if (jitterMs > 0) ms += Math.floor(clock.random() * jitterMs);
    return Math.max(1, ms);
  }
}
