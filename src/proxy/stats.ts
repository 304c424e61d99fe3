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
}

export interface ProxyStats {
  /** Every request a listener received. */
  downstream_rq_total: number;
  /** Requests answered 404 because no virtual host or no route matched. */
  downstream_rq_no_route: number;
  /** Requests whose route names a cluster that does not exist. */
  downstream_rq_no_cluster: number;
  /** Keyed by cluster name. */
  clusters: Record<string, ClusterStats>;
}

export function createProxyStats(): ProxyStats {
  return {
    downstream_rq_total: 0,
    downstream_rq_no_route: 0,
    downstream_rq_no_cluster: 0,
    clusters: Object.create(null) as Record<string, ClusterStats>,
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
    };
    stats.clusters[clusterName] = s;
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
