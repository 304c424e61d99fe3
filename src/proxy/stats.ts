/**
 * Data plane counters, named after Envoy's stats (`downstream_rq_total`, `upstream_rq_2xx`, …). They
 * are plain mutable objects: the request path increments a property it already holds a reference to,
 * and the admin server reads them when asked. Per-cluster counters survive config updates by name.
 */

export interface ClusterStats {
  upstream_rq_total: number;
  upstream_rq_2xx: number;
  upstream_rq_3xx: number;
  upstream_rq_4xx: number;
  upstream_rq_5xx: number;
  upstream_rq_timeout: number;
  upstream_cx_connect_fail: number;
  upstream_cx_none_healthy: number;
  /** Retries started (Envoy's `upstream_rq_retry`). */
  upstream_rq_retry: number;
  /** Requests that succeeded after at least one retry. */
  upstream_rq_retry_success: number;
  /** Attempts that hit the route's `per_try_timeout`. */
  upstream_rq_per_try_timeout: number;
  /** Mirrored (shadow) requests that failed or were dropped; counted on the mirror cluster. */
  upstream_rq_shadow_error: number;
  /** Hosts in the cluster and those a balancer may pick (gauges; set by the cluster manager). */
  membership_total?: number;
  membership_healthy?: number;
  /** Active health checking (Envoy's `health_check.*`), on clusters with `health_checks`. */
  health_check_attempt?: number;
  health_check_success?: number;
  health_check_failure?: number;
  health_check_network_failure?: number;
  health_check_verify_cluster?: number;
  /** Hosts passing every active check (gauge). */
  health_check_healthy?: number;
  /**
   * Outlier detection (Envoy's `outlier_detection.*`), on clusters with `outlier_detection`:
   * `ejections_active` (gauge), `ejections_overflow`, `ejections_enforced_total`, and
   * `ejections_{enforced,detected}_<type>` (see `OUTLIER_STAT_NAMES` in upstream/outlier/).
   */
  outlier_detection_ejections_active?: number;
  outlier_detection_ejections_overflow?: number;
  outlier_detection_ejections_enforced_total?: number;
  /** Requests rejected by the max_requests / max_pending_requests circuit breakers (503, flag UO). */
  upstream_rq_pending_overflow: number;
  /** Connections not opened because of the max_connections circuit breaker (the request waited). */
  upstream_cx_overflow: number;
  /** Retries not attempted because of the max_retries circuit breaker. */
  upstream_rq_retry_overflow: number;
  /** TCP proxy connections to the cluster's hosts: opened (attempts included), open now (a gauge). */
  upstream_cx_total: number;
  upstream_cx_active: number;
  /** TCP proxy connection attempts cut by the cluster's `connect_timeout` (also counted in connect_fail). */
  upstream_cx_connect_timeout: number;
  /** TCP proxy connections given up after `max_connect_attempts` failed attempts. */
  upstream_cx_connect_attempts_exceeded: number;
  /** Bytes read from / written to TCP proxy upstream connections (counted when a connection closes). */
  upstream_cx_rx_bytes_total: number;
  upstream_cx_tx_bytes_total: number;
}

/** The counters of one tcp_proxy `stat_prefix` (Envoy's `tcp.<stat_prefix>.*`). */
export interface TcpProxyStats {
  /** Connections handed to the TCP proxy. */
  downstream_cx_total: number;
  /** Connections closed because their cluster does not exist (or no SNI named one). */
  downstream_cx_no_route: number;
  /** Bytes read from / written to downstream connections (counted when a connection closes). */
  downstream_cx_rx_bytes_total: number;
  downstream_cx_tx_bytes_total: number;
  /** Connections closed by the idle timeout. */
  idle_timeout: number;
}

/** Per-cluster stats that are gauges (Prometheus `# TYPE … gauge`); the others are counters. */
export const CLUSTER_GAUGES: ReadonlySet<string> = new Set([
  'membership_total',
  'membership_healthy',
  'health_check_healthy',
  'outlier_detection_ejections_active',
]);

export interface ProxyStats {
  /** Every request a listener received. */
  downstream_rq_total: number;
  /** Requests answered 404 because no virtual host or no route matched. */
  downstream_rq_no_route: number;
  /** Requests whose route names a cluster that does not exist. */
  downstream_rq_no_cluster: number;
  /** Requests rejected for a header name with an underscore (headers_with_underscores_action REJECT_REQUEST). */
  downstream_rq_rejected_underscore: number;
  /** Headers dropped for an underscore in the name (DROP_HEADER). */
  downstream_rq_dropped_headers_with_underscores: number;
  /** Requests answered 408 by the stream idle timeout. */
  downstream_rq_idle_timeout: number;
  /** TLS connections whose handshake (and client certificate checks) succeeded / failed. */
  downstream_cx_ssl_handshake: number;
  downstream_cx_ssl_error: number;
  /** Upgraded (websocket…) connections tunnelled to an upstream, in total and open now. */
  downstream_cx_upgrades_total: number;
  downstream_cx_upgrades_active: number;
  /** Upgrade requests answered 403 because the route (or the HCM) does not allow that upgrade type. */
  downstream_rq_ws_on_non_ws_route: number;
  /** Fault filter counters (Envoy's `http.<prefix>.fault.*`, summed over listeners). */
  fault_delays_injected: number;
  fault_aborts_injected: number;
  fault_faults_overflow: number;
  /** Health check requests answered or passed by the health_check filter. */
  health_check_requests: number;
  /** Access-log lines written to a sink's buffer / dropped because the sink's buffer was full. */
  access_log_lines: number;
  access_log_dropped: number;
  /** Keyed by cluster name. */
  clusters: Record<string, ClusterStats>;
  /** Keyed by tcp_proxy stat_prefix. */
  tcp: Record<string, TcpProxyStats>;
}

export function createProxyStats(): ProxyStats {
  return {
    downstream_rq_total: 0,
    downstream_rq_no_route: 0,
    downstream_rq_no_cluster: 0,
    downstream_rq_rejected_underscore: 0,
    downstream_rq_dropped_headers_with_underscores: 0,
    downstream_rq_idle_timeout: 0,
    downstream_cx_ssl_handshake: 0,
    downstream_cx_ssl_error: 0,
    downstream_cx_upgrades_total: 0,
    downstream_cx_upgrades_active: 0,
    downstream_rq_ws_on_non_ws_route: 0,
    fault_delays_injected: 0,
    fault_aborts_injected: 0,
    fault_faults_overflow: 0,
    health_check_requests: 0,
    access_log_lines: 0,
    access_log_dropped: 0,
    clusters: Object.create(null) as Record<string, ClusterStats>,
    tcp: Object.create(null) as Record<string, TcpProxyStats>,
  };
}

/** The counters of one cluster, created on first use and kept across config updates. */
export function clusterStatsFor(stats: ProxyStats, clusterName: string): ClusterStats {
  let s = stats.clusters[clusterName];
  if (s === undefined) {
    s = {
      upstream_rq_total: 0,
      upstream_rq_2xx: 0,
      upstream_rq_3xx: 0,
      upstream_rq_4xx: 0,
      upstream_rq_5xx: 0,
      upstream_rq_timeout: 0,
      upstream_cx_connect_fail: 0,
      upstream_cx_none_healthy: 0,
      upstream_rq_retry: 0,
      upstream_rq_retry_success: 0,
      upstream_rq_per_try_timeout: 0,
      upstream_rq_shadow_error: 0,
      upstream_rq_pending_overflow: 0,
      upstream_cx_overflow: 0,
      upstream_rq_retry_overflow: 0,
      upstream_cx_total: 0,
      upstream_cx_active: 0,
      upstream_cx_connect_timeout: 0,
      upstream_cx_connect_attempts_exceeded: 0,
      upstream_cx_rx_bytes_total: 0,
      upstream_cx_tx_bytes_total: 0,
    };
    stats.clusters[clusterName] = s;
  }
  return s;
}

/** The counters of one tcp_proxy stat prefix, created on first use and kept across config updates. */
export function tcpStatsFor(stats: ProxyStats, statPrefix: string): TcpProxyStats {
  let s = stats.tcp[statPrefix];
  if (s === undefined) {
    s = { downstream_cx_total: 0, downstream_cx_no_route: 0, downstream_cx_rx_bytes_total: 0, downstream_cx_tx_bytes_total: 0, idle_timeout: 0 };
    stats.tcp[statPrefix] = s;
  }
  return s;
}

/** Counts an upstream response status in its class. */
export function countUpstreamStatus(s: ClusterStats, statusCode: number): void {
  if (statusCode < 300) s.upstream_rq_2xx++;
  else if (statusCode < 400) s.upstream_rq_3xx++;
  else if (statusCode < 500) s.upstream_rq_4xx++;
  else s.upstream_rq_5xx++;
}
