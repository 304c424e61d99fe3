/**
 * Upstream hosts and the host set of a cluster. A host is one endpoint (address, port) with the
 * connection pool that reaches it and the health flags other components set; the host set exposes
 * the hosts the load balancer may pick from. Health checking and outlier detection (later issues)
 * only flip flags here and call `refresh()`; the balancer never decides health itself (STYLE 7).
 */
import type { Dispatcher } from 'undici';

export class UpstreamHost {
  /** EDS health_status said UNHEALTHY or DRAINING. */
  edsUnhealthy = false;
  /** Set by the active health checker (later issue). */
  failedActiveHealthCheck = false;

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

  /** `address:port`, with brackets for IPv6; a pipe endpoint's path (port 0). */
  get authority(): string {
    if (this.port === 0) return this.address;
    return this.address.includes(':') ? `[${this.address}]:${this.port}` : `${this.address}:${this.port}`;
  }
}

export class HostSet {
  /** The hosts a load balancer may pick: the usable hosts of the highest-priority level that has any. */
  usable: readonly UpstreamHost[] = [];

  constructor(readonly hosts: readonly UpstreamHost[]) {
    this.refresh();
  }

  /** Swaps in a new host list (DNS re-resolution) and recomputes `usable`; readonly for everyone else. */
  replaceHosts(hosts: readonly UpstreamHost[]): void {
    (this as { hosts: readonly UpstreamHost[] }).hosts = hosts;
    this.refresh();
  }

  /** Recomputes `usable` after a health flag changed. */
  refresh(): void {
    let best = Infinity;
    for (const h of this.hosts) if (h.usable && h.priority < best) best = h.priority;
    this.usable = best === Infinity ? [] : this.hosts.filter((h) => h.usable && h.priority === best);
  }
}
