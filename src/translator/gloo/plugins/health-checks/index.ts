/**
 * Upstream `healthChecks[]` (spec §2.2.6) → the cluster's Envoy `health_checks`: `timeout`,
 * `interval`, jitters, thresholds (Envoy requires both; Gloo's docs always set them — unset ⇒ 1),
 * `reuse_connection`, the edge / no-traffic intervals, `event_log_path`,
 * `always_log_health_check_failures`, and one checker: `http_health_check {host, path,
 * request_headers_to_add/remove, expected_statuses, codec_client_type (HTTP2 with useHttp2), method}`,
 * `tcp_health_check {send, receive}` or `grpc_health_check {service_name, authority,
 * initial_metadata}`. Custom checkers and EE response assertions are not translated (Warning).
 * Also `ignoreHealthOnHostRemoval` → `ignore_health_on_host_removal`.
 * What Envoy would refuse is an error on the Upstream and the check is left out, rather than config
 * that gets NACKed: method CONNECT (Gloo's own check and wording), an empty HTTP path, a status range
 * outside [100, 600), a TCP payload that is not hex.
 */
import type { Plugin, ProblemSink } from '../../plugin.js';
import type { HealthCheck } from '../../../../api/types/upstream-health.js';
import type { HeaderValueOption } from '../../../../xds/envoy-types.js';
import { envoyDuration } from '../timeout/index.js';

interface GlooHeaderOption {
  header?: { key?: string | undefined; value?: string | undefined } | undefined;
  headerSecretRef?: unknown;
  append?: boolean | undefined;
}

function headers(list: readonly GlooHeaderOption[] | undefined, report: ProblemSink): HeaderValueOption[] {
  const out: HeaderValueOption[] = [];
  for (const h of list ?? []) {
    if (!h.header) {
      report.warning('healthChecks: headerSecretRef in health check headers is not translated');
      continue;
    }
    out.push({ header: { key: h.header.key ?? '', value: h.header.value ?? '' }, append_action: h.append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD' });
  }
  return out;
}

/** One Envoy HealthCheck, or undefined after an error. */
export function healthCheck(hc: HealthCheck, i: number, report: ProblemSink): Record<string, unknown> | undefined {
  const at = `healthChecks[${i}]`;
  const d = (v: string | undefined, f: string) => envoyDuration(v, report, `${at}.${f}`);
  const out: Record<string, unknown> = {};
  const timeout = d(hc.timeout, 'timeout');
  const interval = d(hc.interval, 'interval');
  if (!timeout || !interval) {
    report.error(`${at}: timeout and interval are required`);
    return undefined;
  }
  out.timeout = timeout;
  out.interval = interval;
  for (const [k, f] of [
    ['initial_jitter', 'initialJitter'],
    ['interval_jitter', 'intervalJitter'],
    ['no_traffic_interval', 'noTrafficInterval'],
    ['unhealthy_interval', 'unhealthyInterval'],
    ['unhealthy_edge_interval', 'unhealthyEdgeInterval'],
    ['healthy_edge_interval', 'healthyEdgeInterval'],
  ] as const) {
    const v = d(hc[f], f);
    if (v) out[k] = v;
  }
  if (hc.intervalJitterPercent) out.interval_jitter_percent = hc.intervalJitterPercent;
  out.unhealthy_threshold = { value: hc.unhealthyThreshold ?? 1 };
  out.healthy_threshold = { value: hc.healthyThreshold ?? 1 };
  if (hc.reuseConnection !== undefined) out.reuse_connection = { value: hc.reuseConnection };
  if (hc.eventLogPath) out.event_log_path = hc.eventLogPath;
  if (hc.alwaysLogHealthCheckFailures) out.always_log_health_check_failures = true;
  if (hc.httpHealthCheck) {
    const h = hc.httpHealthCheck;
    if (h.method === 'CONNECT') {
      report.error(`${at}: method CONNECT is not allowed on http health checkers`);
      return undefined;
    }
    if (!h.path) {
      report.error(`${at}.httpHealthCheck.path is required`);
      return undefined;
    }
    const badRange = (h.expectedStatuses ?? []).find((r) => !((r.start ?? 0) >= 100 && (r.end ?? 0) <= 600 && (r.start ?? 0) < (r.end ?? 0)));
    if (badRange) {
      report.error(`${at}.httpHealthCheck.expectedStatuses: [${badRange.start ?? ''}, ${badRange.end ?? ''}) is not a range of statuses within [100, 600)`);
      return undefined;
    }
    const o: Record<string, unknown> = { path: h.path };
    if (h.host) o.host = h.host;
    const add = headers(h.requestHeadersToAdd, report);
    if (add.length > 0) o.request_headers_to_add = add;
    if (h.requestHeadersToRemove?.length) o.request_headers_to_remove = [...h.requestHeadersToRemove];
    if (h.expectedStatuses?.length) o.expected_statuses = h.expectedStatuses.map((r) => ({ start: String(r.start ?? 0), end: String(r.end ?? 0) }));
    if (h.useHttp2) o.codec_client_type = 'HTTP2';
    if (h.method && h.method !== 'METHOD_UNSPECIFIED') o.method = h.method;
    if (h.serviceName) o.service_name_matcher = { prefix: h.serviceName };
    if (h.responseAssertions) report.warning(`${at}: httpHealthCheck.responseAssertions (EE) are not translated`);
    out.http_health_check = o;
  } else if (hc.tcpHealthCheck) {
    const t = hc.tcpHealthCheck;
    for (const p of [t.send, ...(t.receive ?? [])]) {
      if (p?.text && !/^(?:[0-9a-fA-F]{2})+$/.test(p.text)) {
        report.error(`${at}.tcpHealthCheck: payload "${p.text}" is not hex (e.g. "50494E47" for PING)`);
        return undefined;
      }
    }
    const o: Record<string, unknown> = {};
    if (t.send) o.send = { text: t.send.text ?? '' };
    if (t.receive?.length) o.receive = t.receive.map((p) => ({ text: p.text ?? '' }));
    out.tcp_health_check = o;
  } else if (hc.grpcHealthCheck) {
    const g = hc.grpcHealthCheck;
    const o: Record<string, unknown> = {};
    if (g.serviceName) o.service_name = g.serviceName;
    if (g.authority) o.authority = g.authority;
    const md = headers(g.initialMetadata, report);
    if (md.length > 0) o.initial_metadata = md;
    out.grpc_health_check = o;
  } else {
    report.warning(`${at}: only http, tcp and grpc health checks are translated; the check is left out`);
    return undefined;
  }
  return out;
}

export const healthChecksPlugin: Plugin = {
  name: 'health-checks',
  processUpstream(params, upstream, out) {
    const checks = (upstream.spec.healthChecks ?? []).map((hc, i) => healthCheck(hc, i, params.report)).filter((c) => c !== undefined);
    if (checks.length > 0) out.health_checks = checks;
    if (upstream.spec.ignoreHealthOnHostRemoval) out.ignore_health_on_host_removal = true;
  },
};
