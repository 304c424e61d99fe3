/**
 * Upstream hosts and the host set of a cluster. A host is one endpoint (address, port) with the
 * connection pool that reaches it and the health flags other components set; the host set exposes
 * the hosts the load balancer may pick from. The active health checker (`health/`) and the outlier
 * detector (`outlier/`) only flip flags here and call `refresh()`; the balancer never decides health
 * itself (STYLE 7).
 */
import type { Dispatcher } from 'undici';
import type { Struct } from '../../xds/envoy-types.js';
import { HostMonitor } from './outlier/host-monitor.js';

/** The monitor of hosts built outside the cluster manager (tests): it counts, and nobody reads it. */
const UNMONITORED = new HostMonitor();

export class UpstreamHost {
  /** EDS health_status said UNHEALTHY or DRAINING. */
  edsUnhealthy = false;
  /** Set by the active health checker (FAILED_ACTIVE_HC). */
  failedActiveHealthCheck = false;
  /** Requests dispatched to this host and not finished yet (least request balancing). */
  activeRequests = 0;
  /** `region/zone/sub_zone` of the LocalityLbEndpoints the host came from ('' when none). */
  locality = '';
  /** That locality's `load_balancing_weight` (0 when unset). */
  localityWeight = 0;
  /** The endpoint's `metadata.filter_metadata` (subset selection reads `envoy.lb`), null when none. */
  metadata: Readonly<Record<string, Struct>> | null = null;
  /** Ejected by outlier detection (FAILED_OUTLIER_CHECK). */
  failedOutlierCheck = false;
  /** Joined a cluster with active health checks and not checked yet (PENDING_ACTIVE_HC; also failed). */
  pendingActiveHealthCheck = false;
  /** The last active check timed out (ACTIVE_HC_TIMEOUT; informational). */
  activeHealthCheckTimeout = false;
  /** Answered `x-envoy-immediate-health-check-fail` to a health check (EXCLUDED_VIA_IMMEDIATE_HC_FAIL). */
  excludedViaImmediateHcFail = false;
  /** Gone from service discovery, kept while it passes active health checks (PENDING_DYNAMIC_REMOVAL). */
  pendingDynamicRemoval = false;
  /** Where the router reports each upstream outcome (per-host counters, outlier detection). */
  monitor: HostMonitor = UNMONITORED;

  constructor(
    /** IP address or, for LOGICAL_DNS clusters, the DNS name (the pool resolves it per connection). */
    readonly address: string,
    readonly port: number,
    /** Host used by `auto_host_rewrite`: the LbEndpoint's hostname or the DNS name it came from. */
    readonly hostname: string | null,
    readonly weight: number,
    readonly priority: number,
    readonly pool: Dispatcher,
  ) {}

  get usable(): boolean {
    return !this.edsUnhealthy && !this.failedActiveHealthCheck && !this.failedOutlierCheck && !this.excludedViaImmediateHcFail;
  }

  /** `address:port`, with brackets for IPv6; a pipe endpoint's path (port 0). */
  get authority(): string {
    if (this.port === 0) return this.address;
    return this.address.includes(':') ? `[${this.address}]:${this.port}` : `${this.address}:${this.port}`;
  }
}

export class HostSet {
  /** The usable hosts of the highest-priority level that has any (balancers see every priority: lb/). */
  usable: readonly UpstreamHost[] = [];
  /** Bumped by every `refresh()`. */
  version = 0;
  private listeners: (() => void)[] | null = null;

  constructor(readonly hosts: readonly UpstreamHost[]) {
    this.refresh();
  }

  /** Swaps in a new host list (DNS re-resolution) and recomputes `usable`; readonly for everyone else. */
  replaceHosts(hosts: readonly UpstreamHost[]): void {
    (this as { hosts: readonly UpstreamHost[] }).hosts = hosts;
    this.refresh();
  }

  /** Recomputes `usable` after a health flag changed, then lets the balancers rebuild. */
  refresh(): void {
    let best = Infinity;
    for (const h of this.hosts) if (h.usable && h.priority < best) best = h.priority;
    this.usable = best === Infinity ? [] : this.hosts.filter((h) => h.usable && h.priority === best);
    this.version++;
    const ls = this.listeners;
    if (ls !== null) for (const l of ls) l();
  }

  /** Calls `listener` after every `refresh()` (load balancers rebuild their tables there). */
  onRefresh(listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }
}
