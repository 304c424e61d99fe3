/**
 * The state of the served clusters and their hosts, as plain data for the admin `/clusters` page and
 * `glooctl get upstream -o wide` (it crosses the worker IPC as JSON): Envoy's health flags per host,
 * its counters (`rq_total`, `rq_error`…, connections and requests in flight from its pool), its
 * success rates, and the cluster's outlier-detection figures.
 *
 * Example: `{name: 'echo_gloo-system', hosts: [{address: '127.0.0.1', port: 8080, healthFlags:
 * ['failed_active_hc'], stats: {rq_total: 3, …}, …}]}`.
 */
import type { UpstreamHost } from '../host.js';
import type { ClusterSet } from '../upstream-cluster.js';
import type { UpstreamHealth } from './upstream-health.js';

export interface HostStatus {
  address: string;
  port: number;
  hostname: string;
  weight: number;
  priority: number;
  /** Envoy's flag names (`failed_active_hc`, `failed_outlier_check`…); empty when healthy. */
  healthFlags: string[];
  /** `HEALTHY`, or `UNHEALTHY` when EDS said UNHEALTHY or DRAINING. */
  edsHealthStatus: 'HEALTHY' | 'UNHEALTHY';
  stats: {
    cx_active: number;
    cx_connect_fail: number;
    rq_active: number;
    rq_error: number;
    rq_success: number;
    rq_timeout: number;
    rq_total: number;
  };
  /** -1 when not computed (no outlier detection, or not enough requests in the last interval). */
  successRate: number;
  localOriginSuccessRate: number;
  /** Times outlier detection ejected the host. */
  numEjections: number;
}

export interface ClusterStatus {
  name: string;
  /** Present when the cluster has outlier detection (-1: not computed). */
  outlier?: {
    successRateAverage: number;
    successRateEjectionThreshold: number;
    localOriginSuccessRateAverage: number;
    localOriginSuccessRateEjectionThreshold: number;
  };
  /** The cluster runs active health checks. */
  activeHealthChecks: boolean;
  hosts: HostStatus[];
}

/** Envoy's flag names, in Envoy's order (HostUtility::healthFlagsToString). */
export const HEALTH_FLAG_ORDER = [
  'failed_active_hc',
  'failed_outlier_check',
  'failed_eds_health',
  'pending_dynamic_removal',
  'pending_active_hc',
  'excluded_via_immediate_hc_fail',
  'active_hc_timeout',
] as const;

/** The flags of a host, in Envoy's order. */
export function healthFlags(h: UpstreamHost): string[] {
  const out: string[] = [];
  if (h.failedActiveHealthCheck) out.push('failed_active_hc');
  if (h.failedOutlierCheck) out.push('failed_outlier_check');
  if (h.edsUnhealthy) out.push('failed_eds_health');
  if (h.pendingDynamicRemoval) out.push('pending_dynamic_removal');
  if (h.pendingActiveHealthCheck) out.push('pending_active_hc');
  if (h.excludedViaImmediateHcFail) out.push('excluded_via_immediate_hc_fail');
  if (h.activeHealthCheckTimeout) out.push('active_hc_timeout');
  return out;
}

interface PoolStats {
  connected?: number;
  running?: number;
}

function hostStatus(h: UpstreamHost): HostStatus {
  const m = h.monitor;
  const pool = (h.pool as { stats?: PoolStats }).stats;
  return {
    address: h.address,
    port: h.port,
    hostname: h.hostname ?? '',
    weight: h.weight,
    priority: h.priority,
    healthFlags: healthFlags(h),
    edsHealthStatus: h.edsUnhealthy ? 'UNHEALTHY' : 'HEALTHY',
    stats: {
      cx_active: pool?.connected ?? 0,
      cx_connect_fail: m.cxConnectFail,
      rq_active: pool?.running ?? 0,
      rq_error: m.rqError,
      rq_success: m.rqSuccess,
      rq_timeout: m.rqTimeout,
      rq_total: m.rqTotal,
    },
    successRate: m.successRate,
    localOriginSuccessRate: m.localOriginSuccessRate,
    numEjections: m.numEjections,
  };
}

/** The status of every cluster of a served config, sorted by name. */
export function clusterStatuses(set: ClusterSet, health: UpstreamHealth): ClusterStatus[] {
  const out: ClusterStatus[] = [];
  for (const name of [...set.names].sort()) {
    const c = set.get(name)!;
    const ch = health.clusters.get(name);
    const d = ch?.detector ?? null;
    const status: ClusterStatus = {
      name,
      activeHealthChecks: (ch?.checks.length ?? 0) > 0,
      hosts: c.hosts.hosts.map(hostStatus),
    };
    if (d !== null) {
      status.outlier = {
        successRateAverage: d.successRateAverage,
        successRateEjectionThreshold: d.successRateEjectionThreshold,
        localOriginSuccessRateAverage: d.localOriginSuccessRateAverage,
        localOriginSuccessRateEjectionThreshold: d.localOriginSuccessRateEjectionThreshold,
      };
    }
    out.push(status);
  }
  return out;
}

/**
 * One view of several data planes' statuses (worker processes): counters add up, and a host carries
 * every flag any of them set (each worker checks and detects on its own).
 */
export function mergeClusterStatuses(lists: readonly (readonly ClusterStatus[])[]): ClusterStatus[] {
  if (lists.length === 1) return [...lists[0]!];
  const byName = new Map<string, ClusterStatus>();
  for (const list of lists) {
    for (const c of list) {
      const have = byName.get(c.name);
      if (have === undefined) {
        byName.set(c.name, structuredClone(c));
        continue;
      }
      have.activeHealthChecks ||= c.activeHealthChecks;
      for (const h of c.hosts) {
        const into = have.hosts.find((x) => x.address === h.address && x.port === h.port);
        if (into === undefined) {
          have.hosts.push(structuredClone(h));
          continue;
        }
        const flags = new Set([...into.healthFlags, ...h.healthFlags]);
        into.healthFlags = HEALTH_FLAG_ORDER.filter((f) => flags.has(f));
        if (h.edsHealthStatus === 'UNHEALTHY') into.edsHealthStatus = 'UNHEALTHY';
        for (const k of Object.keys(into.stats) as (keyof HostStatus['stats'])[]) into.stats[k] += h.stats[k];
        into.numEjections += h.numEjections;
      }
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
