/**
 * Host health that outlives configs. The cluster manager rebuilds every UpstreamHost on each config,
 * so the health of an endpoint lives here instead, per (cluster, address:port): its active health
 * check sessions, its outlier-detection state and its per-host counters (`HostMonitor`). Each build
 * attaches the new hosts to those records (flags copied, `host.monitor` set) and registers the new
 * host set; any later change of an endpoint's health flips the flags of every attached host and
 * refreshes their host sets — the old config's until the swap, the new one's after.
 *
 * Lifecycle, as Envoy's cluster manager:
 * - A cluster whose `health_checks` are unchanged keeps its sessions running across updates. A new
 *   cluster, or one whose checks changed, gets fresh sessions: its hosts start failed (and pending)
 *   and the config that brings it waits for its first round of checks (`warmed`, Envoy's cluster
 *   warming). A host added to an existing cluster starts failed and pending, without a wait.
 * - A host that disappears from EDS or DNS discovery while it passes its active checks is kept
 *   (PENDING_DYNAMIC_REMOVAL) until a check fails, unless `ignore_health_on_host_removal`.
 * - On commit, sessions of removed hosts and clusters stop; a failed build's sessions stop at the
 *   next build.
 * - `outlier_detection` is replaced in place when it changes (ejections are lifted).
 *
 * Example (cluster manager):
 *   const hb = health.begin();
 *   hosts.push(...hb.absentHosts(cluster, hosts, makeHost));
 *   const set = new HostSet(hosts); hb.attach(cluster, set);
 *   await hb.warmed; … hb.commit();
 */
import type { Cluster } from '../../../xds/envoy-types.js';
import type { Logger } from '../../logger.js';
import { clusterStatsFor, type ClusterStats, type ProxyStats } from '../../stats.js';
import type { HostSet, UpstreamHost } from '../host.js';
import { HostMonitor } from '../outlier/host-monitor.js';
import { compileOutlierDetection, type EnvoyOutlierDetection } from '../outlier/outlier-config.js';
import { OutlierDetector } from '../outlier/outlier-detector.js';
import { realClock, type Clock } from './clock.js';
import { compileHealthCheck, type CompiledHealthCheck, type EnvoyHealthCheck } from './health-check-config.js';
import { HealthCheckSession, Transition, type SessionOwner } from './health-check-session.js';
import { HealthEventLogs, type HealthEvent, type HealthEventLog } from './event-log.js';
import { createProbe, type ProbeFactory } from './probes/index.js';
import { FailureType, authorityOf, type ProbeResult } from './probes/probe.js';

/** What a host is made of, for re-creating a host that discovery dropped but health checks keep. */
export interface HostSpec {
  address: string;
  port: number;
  hostname: string | null;
  weight: number;
  priority: number;
}

const keyOf = (address: string, port: number): string => `${address}|${port}`;

/** One endpoint of one cluster: its check sessions and its monitor. */
export class TargetHealth implements SessionOwner {
  readonly monitor: HostMonitor;
  sessions: HealthCheckSession[] = [];
  /** False while the endpoint is absent from discovery and kept for passing its checks. */
  inDiscovery = true;
  removed = false;

  constructor(
    readonly key: string,
    public spec: HostSpec,
    private readonly cluster: ClusterHealth,
  ) {
    this.monitor = new HostMonitor(authorityOf(spec));
  }

  get clock(): Clock {
    return this.cluster.clock;
  }
  hasTraffic(): boolean {
    return this.cluster.stats.upstream_rq_total > 0;
  }
  onAttempt(): void {
    const s = this.cluster.stats;
    s.health_check_attempt = (s.health_check_attempt ?? 0) + 1;
  }
  onResult(session: HealthCheckSession, r: ProbeResult, t: Transition, first: boolean, flipped: boolean): void {
    this.cluster.onResult(this, session, r, t, first, flipped);
  }

  get failedActiveHc(): boolean {
    for (const s of this.sessions) if (s.failed) return true;
    return false;
  }
  get pendingActiveHc(): boolean {
    for (const s of this.sessions) if (s.pending) return true;
    return false;
  }
  get activeHcTimeout(): boolean {
    for (const s of this.sessions) if (s.failed && s.timedOut) return true;
    return false;
  }
  get excluded(): boolean {
    for (const s of this.sessions) if (s.excluded) return true;
    return false;
  }

  /** Copies this endpoint's health onto a host built for it. */
  applyTo(h: UpstreamHost): void {
    h.failedActiveHealthCheck = this.failedActiveHc;
    h.pendingActiveHealthCheck = this.pendingActiveHc;
    h.activeHealthCheckTimeout = this.activeHcTimeout;
    h.excludedViaImmediateHcFail = this.excluded;
    h.failedOutlierCheck = this.monitor.ejected;
    h.pendingDynamicRemoval = !this.inDiscovery;
  }

  stop(): void {
    for (const s of this.sessions) s.stop();
  }
}

/** The health records of one cluster. */
export class ClusterHealth {
  readonly targets = new Map<string, TargetHealth>();
  readonly stats: ClusterStats;
  detector: OutlierDetector | null = null;
  private odKey = 'null';
  ignoreHealthOnHostRemoval = false;
  /** EDS or STRICT_DNS: hosts come and go with discovery. */
  dynamic = false;
  private sets: { gen: number; set: HostSet }[] = [];
  private stopped = false;
  /** The event log of each check that has an `event_log_path`. */
  private readonly eventLogs = new Map<CompiledHealthCheck, HealthEventLog>();

  constructor(
    readonly name: string,
    /** The `health_checks` these sessions run (JSON), to tell whether a new config changed them. */
    readonly hcKey: string,
    readonly checks: readonly CompiledHealthCheck[],
    proxyStats: ProxyStats,
    readonly clock: Clock,
    private readonly logger: Logger,
    private readonly probeFactory: ProbeFactory,
    eventLogs: HealthEventLogs,
  ) {
    for (const c of checks) if (c.eventLogPath !== '') this.eventLogs.set(c, eventLogs.open(c.eventLogPath));
    this.stats = clusterStatsFor(proxyStats, name);
    if (checks.length > 0) {
      const s = this.stats;
      s.health_check_attempt ??= 0;
      s.health_check_success ??= 0;
      s.health_check_failure ??= 0;
      s.health_check_network_failure ??= 0;
      s.health_check_verify_cluster ??= 0;
      s.health_check_healthy = 0;
    }
  }

  /** Installs, replaces or removes the outlier detector when its config changed. Throws on an invalid config. */
  setOutlierDetection(od: EnvoyOutlierDetection | undefined): void {
    const key = JSON.stringify(od ?? null);
    if (key === this.odKey) return;
    const compiled = od === undefined ? null : compileOutlierDetection(od);
    this.odKey = key;
    this.detector?.stop();
    this.detector = compiled === null ? null : new OutlierDetector(compiled, this.name, this.stats, this.clock, this.logger);
    if (this.detector !== null) for (const t of this.targets.values()) this.detector.add(t.monitor);
  }

  /** The record of an endpoint, created (with its sessions started) on first sight. */
  target(spec: HostSpec): TargetHealth {
    const key = keyOf(spec.address, spec.port);
    let t = this.targets.get(key);
    if (t !== undefined) {
      t.spec = spec;
      return t;
    }
    t = new TargetHealth(key, spec, this);
    const target = t;
    t.monitor.onEjectionChange = () => this.changed(target);
    this.targets.set(key, t);
    this.detector?.add(t.monitor);
    t.sessions = this.checks.map((c) => new HealthCheckSession(c, this.probeFactory(spec, c), target));
    for (const s of t.sessions) s.start();
    return t;
  }

  /** Hosts of the current records that discovery no longer lists but that pass their active checks. */
  absent(present: ReadonlySet<string>): TargetHealth[] {
    if (this.checks.length === 0 || this.ignoreHealthOnHostRemoval || !this.dynamic) return [];
    const out: TargetHealth[] = [];
    for (const t of this.targets.values()) if (!present.has(t.key) && !t.failedActiveHc) out.push(t);
    return out;
  }

  /** Gives each host of `set` its record's flags and monitor, then refreshes the set. */
  private bindHosts(set: HostSet): void {
    for (const h of set.hosts) {
      const t = this.target({ address: h.address, port: h.port, hostname: h.hostname, weight: h.weight, priority: h.priority });
      if (!h.pendingDynamicRemoval) t.inDiscovery = true;
      h.monitor = t.monitor;
      t.applyTo(h);
    }
    set.refresh();
  }

  /** Registers a host set built for this cluster: its hosts get their records' flags and monitors. */
  attach(set: HostSet, gen: number): void {
    this.bindHosts(set);
    this.sets.push({ gen, set });
    this.updateGauges();
  }

  /** The hosts of a served set changed in place (DNS re-resolution): bind the new ones, drop the gone. */
  rebind(set: HostSet): void {
    this.bindHosts(set);
    const live = new Set<HostMonitor>();
    for (const { set: s } of this.sets) for (const h of s.hosts) live.add(h.monitor);
    for (const t of [...this.targets.values()]) if (!live.has(t.monitor)) this.drop(t);
    this.updateGauges();
  }

  /** The set of `gen` is the one serving: older sets are forgotten, endpoints it lacks are dropped. */
  commit(gen: number): void {
    this.sets = this.sets.filter((s) => s.gen >= gen);
    const live = new Set<HostMonitor>();
    for (const { set } of this.sets) for (const h of set.hosts) live.add(h.monitor);
    for (const t of [...this.targets.values()]) if (!live.has(t.monitor)) this.drop(t);
    this.updateGauges();
  }

  /** Resolves when every endpoint known now has had its first result from each check. */
  firstRound(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const t of this.targets.values()) for (const s of t.sessions) all.push(s.whenChecked());
    return Promise.all(all).then(() => undefined);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.targets.values()) t.stop();
    this.detector?.stop();
    this.detector = null;
    this.targets.clear();
    this.sets = [];
    for (const log of this.eventLogs.values()) log.release();
    this.eventLogs.clear();
  }

  onResult(t: TargetHealth, session: HealthCheckSession, r: ProbeResult, transition: Transition, first: boolean, flipped: boolean): void {
    const s = this.stats;
    if (r.verifiedCluster) s.health_check_verify_cluster = (s.health_check_verify_cluster ?? 0) + 1;
    if (r.healthy) {
      s.health_check_success = (s.health_check_success ?? 0) + 1;
    } else {
      s.health_check_failure = (s.health_check_failure ?? 0) + 1;
      if (r.failure !== FailureType.Active) s.health_check_network_failure = (s.health_check_network_failure ?? 0) + 1;
    }
    const failed = t.failedActiveHc;
    if (r.healthy && !failed && this.detector !== null) this.detector.successfulActiveHealthCheck(t.monitor);
    const host = t.monitor.authority;
    const alwaysLog = session.check.alwaysLogFailures;
    if (!r.healthy && (first || flipped)) {
      this.logger.warn('upstream host failed its active health check', { cluster: this.name, host, reason: r.reason ?? 'unhealthy' });
    } else if (!r.healthy && alwaysLog) {
      this.logger.warn('upstream host health check failed', { cluster: this.name, host, reason: r.reason ?? 'unhealthy' });
    } else if (flipped && !failed) {
      this.logger.info('upstream host passed its active health checks', { cluster: this.name, host });
    }
    const log = this.eventLogs.get(session.check);
    if (log !== undefined) {
      const checker = session.check.protocol.kind === 'grpc' ? 'GRPC' : session.check.protocol.kind === 'tcp' ? 'TCP' : 'HTTP';
      const failureType = r.failure === FailureType.Active ? 'ACTIVE' : r.failure === FailureType.Timeout ? 'NETWORK_TIMEOUT' : 'NETWORK';
      const events: HealthEvent[] = [];
      if (flipped && session.failed) events.push({ eject_unhealthy_event: { failure_type: failureType } });
      if (flipped && !session.failed) events.push({ add_healthy_event: { first_check: first } });
      if (!r.healthy && (first || alwaysLog)) events.push({ health_check_failure_event: { failure_type: failureType, first_check: first } });
      for (const e of events) log.write(checker, this.name, t.spec.address, t.spec.port, e);
    }
    if (transition !== Transition.Unchanged || r.immediateFail) this.changed(t);
    // Absent from discovery and now failing: the only state in which Envoy purges a host.
    if (!t.inDiscovery && failed) this.drop(t);
  }

  /** Flips the flags of every host attached to `t` and refreshes their host sets. */
  changed(t: TargetHealth): void {
    for (const { set } of this.sets) {
      let touched = false;
      for (const h of set.hosts) {
        if (h.monitor !== t.monitor) continue;
        t.applyTo(h);
        touched = true;
      }
      if (touched) set.refresh();
    }
    this.updateGauges();
  }

  private drop(t: TargetHealth): void {
    if (t.removed) return;
    t.removed = true;
    t.stop();
    this.detector?.remove(t.monitor);
    this.targets.delete(t.key);
  }

  private updateGauges(): void {
    const latest = this.sets[this.sets.length - 1]?.set;
    const s = this.stats;
    if (latest !== undefined) {
      let healthy = 0;
      for (const h of latest.hosts) if (h.usable) healthy++;
      s.membership_total = latest.hosts.length;
      s.membership_healthy = healthy;
    }
    if (this.checks.length > 0) {
      let passing = 0;
      for (const t of this.targets.values()) if (!t.failedActiveHc) passing++;
      s.health_check_healthy = passing;
    }
  }
}

export interface UpstreamHealthOptions {
  clock?: Clock;
  probeFactory?: ProbeFactory;
}

/** The health records of every cluster, kept across config updates. Owned by the cluster manager. */
export class UpstreamHealth {
  /** The records of the clusters being served. */
  readonly clusters = new Map<string, ClusterHealth>();
  /** Records created by a build that has not been committed (yet). */
  uncommitted: ClusterHealth[] = [];
  private gen = 0;
  readonly clock: Clock;
  readonly probeFactory: ProbeFactory;
  readonly eventLogs: HealthEventLogs;

  constructor(
    readonly stats: ProxyStats,
    readonly logger: Logger,
    opts: UpstreamHealthOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.probeFactory = opts.probeFactory ?? createProbe;
    this.eventLogs = new HealthEventLogs(logger);
  }

  /** Starts attaching a new build; records left over from a build that was never committed stop. */
  begin(): HealthBuild {
    const served = new Set(this.clusters.values());
    for (const ch of this.uncommitted) if (!served.has(ch)) ch.stop();
    this.uncommitted = [];
    return new HealthBuild(this, ++this.gen);
  }

  /** A served cluster's hosts were replaced in place (STRICT_DNS re-resolution). */
  hostsReplaced(cluster: string, set: HostSet): void {
    this.clusters.get(cluster)?.rebind(set);
  }

  /** Stops every session and detector, and closes the event logs. */
  close(): Promise<void> {
    for (const ch of this.clusters.values()) ch.stop();
    for (const ch of this.uncommitted) ch.stop();
    this.clusters.clear();
    this.uncommitted = [];
    return this.eventLogs.close();
  }
}

/** One build's view of the health records (see the module comment). */
export class HealthBuild {
  private readonly attached = new Map<string, ClusterHealth>();
  private readonly created: ClusterHealth[] = [];

  constructor(
    private readonly owner: UpstreamHealth,
    readonly gen: number,
  ) {}

  /** The records of cluster `c` for this build; throws (the cluster is rejected) on invalid checks. */
  private resolve(c: Cluster): ClusterHealth {
    const have = this.attached.get(c.name);
    if (have !== undefined) return have;
    const raw = (c.health_checks ?? []) as EnvoyHealthCheck[];
    const key = JSON.stringify(raw);
    const od = c.outlier_detection as EnvoyOutlierDetection | undefined;
    if (od !== undefined) compileOutlierDetection(od); // validate before anything changes
    let ch = this.owner.clusters.get(c.name);
    if (ch === undefined || ch.hcKey !== key) {
      const checks = raw.map((hc) => compileHealthCheck(hc, c.name));
      const o = this.owner;
      ch = new ClusterHealth(c.name, key, checks, o.stats, o.clock, o.logger, o.probeFactory, o.eventLogs);
      this.created.push(ch);
      o.uncommitted.push(ch);
    }
    ch.setOutlierDetection(od);
    ch.ignoreHealthOnHostRemoval = c.ignore_health_on_host_removal === true;
    ch.dynamic = c.type === 'EDS' || c.type === 'STRICT_DNS';
    this.attached.set(c.name, ch);
    return ch;
  }

  /**
   * Hosts to add to cluster `c` beside the `hosts` discovery gave: those it dropped that still pass
   * their active checks (EDS and STRICT_DNS clusters, without `ignore_health_on_host_removal`).
   * `make` builds a host (with its pool) from the endpoint's last known spec.
   */
  absentHosts(c: Cluster, hosts: readonly UpstreamHost[], make: (spec: HostSpec) => UpstreamHost): UpstreamHost[] {
    const ch = this.resolve(c);
    if (ch.checks.length === 0) return [];
    const present = new Set(hosts.map((h) => keyOf(h.address, h.port)));
    return ch.absent(present).map((t) => {
      t.inDiscovery = false;
      const h = make(t.spec);
      h.pendingDynamicRemoval = true;
      return h;
    });
  }

  /** Attaches the host set built for cluster `c` (flags, monitors, later updates). */
  attach(c: Cluster, set: HostSet): void {
    this.resolve(c).attach(set, this.gen);
  }

  /**
   * Resolves when the clusters that are new in this build, or whose checks changed, have checked
   * every host once (bounded by the checks' timeouts and initial jitter).
   */
  get warmed(): Promise<void> {
    const fresh = this.created.filter((ch) => this.attached.get(ch.name) === ch && ch.checks.length > 0);
    if (fresh.length === 0) return Promise.resolve();
    let bound = 0;
    for (const ch of fresh) for (const c of ch.checks) bound = Math.max(bound, c.initialJitterMs + c.timeoutMs);
    return new Promise((resolve) => {
      const timer = this.owner.clock.schedule(bound + 1000, resolve);
      void Promise.all(fresh.map((ch) => ch.firstRound())).then(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  /** This build is being served: records of other clusters and endpoints stop. */
  commit(): void {
    const o = this.owner;
    for (const [name, ch] of o.clusters) {
      if (this.attached.get(name) === ch) continue;
      ch.stop();
      o.clusters.delete(name);
    }
    for (const [name, ch] of this.attached) {
      o.clusters.set(name, ch);
      ch.commit(this.gen);
    }
    for (const ch of o.uncommitted) if (this.attached.get(ch.name) !== ch) ch.stop();
    o.uncommitted = [];
  }
}
