/**
 * The admin `/clusters` page in Envoy's formats, from the data plane's cluster statuses:
 *
 * text (default), one `cluster::…` line per value, as Envoy prints it:
 *   echo_gloo-system::observability_name::echo_gloo-system
 *   echo_gloo-system::outlier::success_rate_average::-1          (clusters with outlier detection)
 *   echo_gloo-system::added_via_api::true
 *   echo_gloo-system::127.0.0.1:8080::cx_active::1
 *   echo_gloo-system::127.0.0.1:8080::health_flags::/failed_active_hc/active_hc_timeout
 *   …
 * `?format=json`: Envoy's `admin.v3.Clusters` (`cluster_statuses[].host_statuses[]` with
 * `health_status`, `stats`, `weight`, `priority`, `success_rate`).
 * Circuit breaker thresholds, `cx_total` and localities are not shown.
 */
import type { ClusterStatus, HostStatus } from '../proxy/upstream/health/cluster-status.js';

const GAUGES = new Set(['cx_active', 'rq_active']);

function hostAddress(h: HostStatus): string {
  return h.address.includes(':') ? `[${h.address}]:${h.port}` : `${h.address}:${h.port}`;
}

export function clustersText(statuses: readonly ClusterStatus[]): string {
  const out: string[] = [];
  for (const c of statuses) {
    const n = c.name;
    out.push(`${n}::observability_name::${n}`);
    if (c.outlier !== undefined) {
      out.push(`${n}::outlier::success_rate_average::${c.outlier.successRateAverage}`);
      out.push(`${n}::outlier::success_rate_ejection_threshold::${c.outlier.successRateEjectionThreshold}`);
      out.push(`${n}::outlier::local_origin_success_rate_average::${c.outlier.localOriginSuccessRateAverage}`);
      out.push(`${n}::outlier::local_origin_success_rate_ejection_threshold::${c.outlier.localOriginSuccessRateEjectionThreshold}`);
    }
    out.push(`${n}::added_via_api::true`);
    for (const h of c.hosts) {
      const p = `${n}::${hostAddress(h)}::`;
      for (const k of Object.keys(h.stats).sort()) out.push(`${p}${k}::${h.stats[k as keyof HostStatus['stats']]}`);
      out.push(`${p}hostname::${h.hostname}`);
      out.push(`${p}health_flags::${h.healthFlags.length === 0 ? 'healthy' : h.healthFlags.map((f) => `/${f}`).join('')}`);
      out.push(`${p}weight::${h.weight}`);
      out.push(`${p}region::`, `${p}zone::`, `${p}sub_zone::`);
      out.push(`${p}canary::false`);
      out.push(`${p}priority::${h.priority}`);
      out.push(`${p}success_rate::${h.successRate}`);
      out.push(`${p}local_origin_success_rate::${h.localOriginSuccessRate}`);
    }
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

const JSON_FLAG: Record<string, string> = {
  failed_active_hc: 'failed_active_health_check',
  failed_outlier_check: 'failed_outlier_check',
  pending_dynamic_removal: 'pending_dynamic_removal',
  pending_active_hc: 'pending_active_hc',
  excluded_via_immediate_hc_fail: 'excluded_via_immediate_hc_fail',
  active_hc_timeout: 'active_hc_timeout',
};

export function clustersJson(statuses: readonly ClusterStatus[]): unknown {
  return {
    cluster_statuses: statuses.map((c) => {
      const out: Record<string, unknown> = { name: c.name, observability_name: c.name, added_via_api: true };
      if (c.outlier !== undefined && c.outlier.successRateEjectionThreshold >= 0) {
        out.success_rate_ejection_threshold = { value: c.outlier.successRateEjectionThreshold };
      }
      if (c.outlier !== undefined && c.outlier.localOriginSuccessRateEjectionThreshold >= 0) {
        out.local_origin_success_rate_ejection_threshold = { value: c.outlier.localOriginSuccessRateEjectionThreshold };
      }
      out.host_statuses = c.hosts.map((h) => {
        const health: Record<string, unknown> = { eds_health_status: h.edsHealthStatus };
        for (const f of h.healthFlags) if (JSON_FLAG[f]) health[JSON_FLAG[f]] = true;
        const hs: Record<string, unknown> = {
          address: { socket_address: { address: h.address, port_value: h.port } },
          stats: Object.keys(h.stats)
            .sort()
            .map((k) => ({ ...(GAUGES.has(k) ? { type: 'GAUGE' } : {}), name: k, value: String(h.stats[k as keyof HostStatus['stats']]) })),
          health_status: health,
          weight: h.weight,
          hostname: h.hostname,
          priority: h.priority,
          locality: {},
        };
        if (h.successRate >= 0) hs.success_rate = { value: h.successRate };
        if (h.localOriginSuccessRate >= 0) hs.local_origin_success_rate = { value: h.localOriginSuccessRate };
        return hs;
      });
      return out;
    }),
  };
}
