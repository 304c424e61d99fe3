/**
 * A cluster's circuit breakers (Envoy's resource manager for priority DEFAULT): how many requests,
 * pending requests, connections and retries the cluster may have outstanding at once. Thresholds come
 * from `circuit_breakers.thresholds` (the DEFAULT entry; Envoy's defaults 1024/1024/1024/3).
 *
 * The counters live as long as the cluster name does (the cluster manager keeps one object per name and
 * reconfigures it in place), so a config update neither forgets in-flight requests nor lets a burst in.
 * The router holds a reference and does one comparison and one increment per upstream request, and
 * one decrement when it ends — no allocation.
 *
 * Accounting (HTTP/1.1, one request per connection at a time): a request takes a connection when fewer
 * than `max_connections` requests are outstanding, else it waits for one (pending; `upstream_cx_overflow`
 * counts the connection it could not open). It overflows — 503 `x-envoy-overloaded`, flag `UO`,
 * `upstream_rq_pending_overflow` — when `max_requests` are outstanding or when `max_pending_requests`
 * already wait. Over HTTP/2 streams share connections, so only `max_requests` applies (as in Envoy once
 * its connection is up). Each host pool also opens at most `max_connections` connections.
 *
 * Retries: a request holds at most one retry slot, from when a retry is decided until the next outcome
 * (Envoy's RetryState); past `max_retries` the retry is not attempted (`upstream_rq_retry_overflow`,
 * flag `UO`) and the failure goes to the client as it is.
 */
import type { Cluster } from '../../xds/envoy-types.js';
import type { ClusterStats } from '../stats.js';

type Thresholds = NonNullable<Cluster['circuit_breakers']>['thresholds'][number] & { priority?: string | number };

export const DEFAULT_MAX_CONNECTIONS = 1024;
export const DEFAULT_MAX_PENDING_REQUESTS = 1024;
export const DEFAULT_MAX_REQUESTS = 1024;
export const DEFAULT_MAX_RETRIES = 3;

export class CircuitBreakers {
  maxConnections = DEFAULT_MAX_CONNECTIONS;
  maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
  maxRequests = DEFAULT_MAX_REQUESTS;
  maxRetries = DEFAULT_MAX_RETRIES;
  /** Requests at or past this many outstanding wait for a connection (Infinity over HTTP/2). */
  private connectionBound = DEFAULT_MAX_CONNECTIONS;

  /** Upstream requests dispatched and not finished. */
  requests = 0;
  /** Retries decided and not yet resolved. */
  retries = 0;

  /** Applies a cluster's thresholds (the DEFAULT priority entry); `http2`: streams share connections. */
  configure(c: Cluster, http2: boolean): void {
    const t = defaultThresholds(c);
    this.maxConnections = limit(t?.max_connections, DEFAULT_MAX_CONNECTIONS);
    this.maxPendingRequests = limit(t?.max_pending_requests, DEFAULT_MAX_PENDING_REQUESTS);
    this.maxRequests = limit(t?.max_requests, DEFAULT_MAX_REQUESTS);
    this.maxRetries = limit(t?.max_retries, DEFAULT_MAX_RETRIES);
    this.connectionBound = http2 ? Infinity : this.maxConnections;
  }

  /**
   * Takes a request slot; false (and the overflow counted) when the request must be rejected. Every
   * `true` is paired with one `releaseRequest()`.
   */
  tryAcquireRequest(stats: ClusterStats): boolean {
    const n = this.requests;
    if (n >= this.connectionBound) {
      if (n >= this.maxRequests || n - this.connectionBound >= this.maxPendingRequests) {
        stats.upstream_rq_pending_overflow++;
        return false;
      }
      stats.upstream_cx_overflow++;
    } else if (n >= this.maxRequests) {
      stats.upstream_rq_pending_overflow++;
      return false;
    }
    this.requests = n + 1;
    return true;
  }

  releaseRequest(): void {
    this.requests--;
  }

  /** Takes a retry slot; false (and the overflow counted) when the retry must not happen. */
  tryAcquireRetry(stats: ClusterStats): boolean {
    if (this.retries >= this.maxRetries) {
      stats.upstream_rq_retry_overflow++;
      return false;
    }
    this.retries++;
    return true;
  }

  releaseRetry(): void {
    this.retries--;
  }
}

function defaultThresholds(c: Cluster): Thresholds | undefined {
  const list = (c.circuit_breakers?.thresholds ?? []) as Thresholds[];
  return list.find((t) => t.priority === undefined || t.priority === 'DEFAULT' || t.priority === 0);
}

function limit(v: { value: number } | number | undefined, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'number' ? v : Number(v.value ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : dflt;
}
