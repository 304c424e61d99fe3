/**
 * Upstream hosts and the host set of a cluster. A host is one endpoint (address, port) with the
 * connection pool that reaches it and the health flags other components set; the host set exposes
 * the hosts the load balancer may pick from. Health checking and outlier detection (later issues)
 * only flip flags here and call `refresh()`; the balancer never decides health itself (STYLE 7).
 */
import type { Dispatcher } from 'undici';
import type { Struct } from '../../xds/envoy-types.js';

export class UpstreamHost {
  /** EDS health_status said UNHEALTHY or DRAINING. */
  edsUnhealthy = false;
  /** Set by the active health checker (later issue). */
  failedActiveHealthCheck = false;
  /** Requests dispatched to this host and not finished yet (least request balancing). */
  activeRequests = 0;
  /** `region/zone/sub_zone` of the LocalityLbEndpoints the host came from ('' when none). */
  locality = '';
  /** That locality's `load_balancing_weight` (0 when unset). */
  localityWeight = 0;
  /** The endpoint's `metadata.filter_metadata` (subset selection reads `envoy.lb`), null when none. */
  metadata: Readonly<Record<string, Struct>> | null = null;

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
    return !this.edsUnhealthy && !this.failedActiveHealthCheck;
  }

  /** `address:port`, with brackets for IPv6. */
  get authority(): string {
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
