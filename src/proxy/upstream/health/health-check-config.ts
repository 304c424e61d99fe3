/**
 * Envoy's `config.core.v3.HealthCheck`, compiled once per cluster config into the numbers and
 * payloads the health checker uses, with Envoy's defaults:
 * `no_traffic_interval` 60 s, `no_traffic_healthy_interval` = no_traffic_interval,
 * `unhealthy_interval` = interval, `unhealthy_edge_interval` = unhealthy_interval,
 * `healthy_edge_interval` = interval, `reuse_connection` true, HTTP `expected_statuses` [200, 201),
 * method GET, Host = the cluster name when `host` is empty, gRPC `:authority` likewise.
 *
 * What Envoy would refuse (no timeout or interval, an HTTP check without a path, a status range
 * outside [100, 600), a TCP payload that is not hex) throws: the cluster is rejected, as Envoy NACKs
 * it. A checker we do not implement (`custom_health_check`, HTTP/3) also throws, with the reason.
 *
 * Example: `compileHealthCheck({timeout: {seconds: '1'}, interval: {seconds: '5'}, unhealthy_threshold:
 * {value: 3}, healthy_threshold: {value: 2}, http_health_check: {path: '/healthz'}}, 'echo_gloo-system')`.
 */
import type { Duration, HeaderValueOption, StringMatcher } from '../../../xds/envoy-types.js';
import { durationToMs } from '../../../xds/envoy-types.js';
import { CompiledStringMatcher } from '../../router/string-matcher.js';

/** Envoy's `HealthCheck.Payload`: hex text, or bytes (base64 in the decoded object form). */
interface Payload {
  text?: string;
  binary?: string;
}

interface Int64Range {
  start?: string | number;
  end?: string | number;
}

/** The `config.core.v3.HealthCheck` fields gateway-proxy reads, in the decoded object form. */
export interface EnvoyHealthCheck {
  timeout?: Duration;
  interval?: Duration;
  initial_jitter?: Duration;
  interval_jitter?: Duration;
  interval_jitter_percent?: number;
  unhealthy_threshold?: { value?: number };
  healthy_threshold?: { value?: number };
  reuse_connection?: { value?: boolean };
  no_traffic_interval?: Duration;
  no_traffic_healthy_interval?: Duration;
  unhealthy_interval?: Duration;
  unhealthy_edge_interval?: Duration;
  healthy_edge_interval?: Duration;
  event_log_path?: string;
  always_log_health_check_failures?: boolean;
  http_health_check?: {
    host?: string;
    path?: string;
    request_headers_to_add?: HeaderValueOption[];
    request_headers_to_remove?: string[];
    expected_statuses?: Int64Range[];
    retriable_statuses?: Int64Range[];
    codec_client_type?: 'HTTP1' | 'HTTP2' | 'HTTP3';
    service_name_matcher?: StringMatcher;
    method?: string;
  };
  tcp_health_check?: { send?: Payload; receive?: Payload[] };
  grpc_health_check?: { service_name?: string; authority?: string; initial_metadata?: HeaderValueOption[] };
  custom_health_check?: { name?: string };
}

/** A header edit of an HTTP or gRPC check request. */
export interface HeaderToAdd {
  /** lowercase */
  key: string;
  value: string;
  action: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
}

export interface HttpCheck {
  readonly kind: 'http';
  readonly path: string;
  /** The Host header; the cluster name when the config leaves it empty. */
  readonly host: string;
  readonly method: string;
  readonly headersToAdd: readonly HeaderToAdd[];
  /** lowercase */
  readonly headersToRemove: readonly string[];
  /** Half-open [start, end) ranges. */
  readonly expected: readonly (readonly [number, number])[];
  readonly retriable: readonly (readonly [number, number])[];
  readonly http2: boolean;
  /** Matched against the response's `x-envoy-upstream-healthchecked-cluster`. */
  readonly serviceName: CompiledStringMatcher | null;
}

export interface TcpCheck {
  readonly kind: 'tcp';
  /** Empty: nothing is written. */
  readonly send: Buffer;
  /** Blocks that must all appear in the response, in order (not necessarily contiguous). Empty: connect only. */
  readonly receive: readonly Buffer[];
}

export interface GrpcCheck {
  readonly kind: 'grpc';
  readonly serviceName: string;
  /** `:authority`; the cluster name when the config leaves it empty. */
  readonly authority: string;
  readonly metadata: readonly HeaderToAdd[];
}

export type CheckProtocol = HttpCheck | TcpCheck | GrpcCheck;

export interface CompiledHealthCheck {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly initialJitterMs: number;
  readonly intervalJitterMs: number;
  readonly intervalJitterPercent: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  readonly reuseConnection: boolean;
  readonly noTrafficIntervalMs: number;
  readonly noTrafficHealthyIntervalMs: number;
  readonly unhealthyIntervalMs: number;
  readonly unhealthyEdgeIntervalMs: number;
  readonly healthyEdgeIntervalMs: number;
  readonly alwaysLogFailures: boolean;
  /** `event_log_path`; empty: no event log. */
  readonly eventLogPath: string;
  readonly protocol: CheckProtocol;
}

/** Envoy's default "no traffic interval". */
export const DEFAULT_NO_TRAFFIC_INTERVAL_MS = 60_000;

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH']);

function positiveMs(d: Duration | undefined): number | undefined {
  const ms = durationToMs(d);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function ranges(list: Int64Range[] | undefined, what: string): [number, number][] {
  const out: [number, number][] = [];
  for (const r of list ?? []) {
    const start = Number(r.start ?? 0);
    const end = Number(r.end ?? 0);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start < 100 || end > 600 || start >= end) {
      throw new Error(`${what} range [${r.start ?? ''}, ${r.end ?? ''}) is invalid: statuses must be in [100, 600) with start < end`);
    }
    out.push([start, end]);
  }
  return out;
}

function payload(p: Payload | undefined, what: string): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  if (p.text !== undefined && p.text !== '') {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(p.text)) throw new Error(`${what}.text "${p.text}" is not hex (e.g. "50494E47" for PING)`);
    return Buffer.from(p.text, 'hex');
  }
  if (p.binary !== undefined && p.binary !== '') return Buffer.from(p.binary, 'base64');
  return Buffer.alloc(0);
}

function headerEdits(list: HeaderValueOption[] | undefined): HeaderToAdd[] {
  return (list ?? [])
    .filter((h) => h.header?.key)
    .map((h) => ({
      key: h.header.key.toLowerCase(),
      value: h.header.value ?? '',
      action: h.append_action ?? (h.append?.value === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD'),
    }));
}

/** Compiles one `health_checks` entry of cluster `clusterName`. Throws with the reason when Envoy would reject it. */
export function compileHealthCheck(hc: EnvoyHealthCheck, clusterName: string): CompiledHealthCheck {
  const timeoutMs = positiveMs(hc.timeout);
  const intervalMs = positiveMs(hc.interval);
  if (timeoutMs === undefined) throw new Error('health check timeout is required and must be positive');
  if (intervalMs === undefined) throw new Error('health check interval is required and must be positive');
  const noTraffic = positiveMs(hc.no_traffic_interval) ?? DEFAULT_NO_TRAFFIC_INTERVAL_MS;
  const unhealthyInterval = positiveMs(hc.unhealthy_interval) ?? intervalMs;
  let protocol: CheckProtocol;
  if (hc.http_health_check !== undefined) {
    const h = hc.http_health_check;
    if (!h.path) throw new Error('http_health_check.path is required');
    if (h.codec_client_type === 'HTTP3') throw new Error('http_health_check over HTTP/3 is not supported');
    const method = !h.method || h.method === 'METHOD_UNSPECIFIED' ? 'GET' : h.method;
    if (!HTTP_METHODS.has(method)) throw new Error(`http_health_check.method ${method} is not allowed`);
    const expected = ranges(h.expected_statuses, 'http_health_check.expected_statuses');
    protocol = {
      kind: 'http',
      path: h.path,
      host: h.host || clusterName,
      method,
      headersToAdd: headerEdits(h.request_headers_to_add),
      headersToRemove: (h.request_headers_to_remove ?? []).map((n) => n.toLowerCase()),
      expected: expected.length > 0 ? expected : [[200, 201]],
      retriable: ranges(h.retriable_statuses, 'http_health_check.retriable_statuses'),
      http2: h.codec_client_type === 'HTTP2',
      serviceName: h.service_name_matcher ? CompiledStringMatcher.compile(h.service_name_matcher) : null,
    };
  } else if (hc.tcp_health_check !== undefined) {
    const t = hc.tcp_health_check;
    protocol = {
      kind: 'tcp',
      send: payload(t.send, 'tcp_health_check.send'),
      receive: (t.receive ?? []).map((p, i) => payload(p, `tcp_health_check.receive[${i}]`)).filter((b) => b.length > 0),
    };
  } else if (hc.grpc_health_check !== undefined) {
    const g = hc.grpc_health_check;
    protocol = { kind: 'grpc', serviceName: g.service_name ?? '', authority: g.authority || clusterName, metadata: headerEdits(g.initial_metadata) };
  } else if (hc.custom_health_check !== undefined) {
    throw new Error(`custom health checker "${hc.custom_health_check.name ?? ''}" is not supported`);
  } else {
    throw new Error('health check has no checker (http_health_check, tcp_health_check or grpc_health_check)');
  }
  return {
    timeoutMs,
    intervalMs,
    initialJitterMs: durationToMs(hc.initial_jitter) ?? 0,
    intervalJitterMs: durationToMs(hc.interval_jitter) ?? 0,
    intervalJitterPercent: hc.interval_jitter_percent ?? 0,
    // Envoy requires both thresholds; a config without them is read as 1 (Gloo's translator always sets them).
    unhealthyThreshold: Math.max(1, hc.unhealthy_threshold?.value ?? 1),
    healthyThreshold: Math.max(1, hc.healthy_threshold?.value ?? 1),
    reuseConnection: hc.reuse_connection?.value ?? true,
    noTrafficIntervalMs: noTraffic,
    noTrafficHealthyIntervalMs: positiveMs(hc.no_traffic_healthy_interval) ?? noTraffic,
    unhealthyIntervalMs: unhealthyInterval,
    unhealthyEdgeIntervalMs: positiveMs(hc.unhealthy_edge_interval) ?? unhealthyInterval,
    healthyEdgeIntervalMs: positiveMs(hc.healthy_edge_interval) ?? intervalMs,
    alwaysLogFailures: hc.always_log_health_check_failures === true,
    eventLogPath: hc.event_log_path ?? '',
    protocol,
  };
}

/** `[start, end)` ranges contain `status`. */
export function inRanges(list: readonly (readonly [number, number])[], status: number): boolean {
  for (const [s, e] of list) if (status >= s && status < e) return true;
  return false;
}

/**
 * Applies the configured header edits to `headers` (lowercase keys), after the removals, as Envoy's
 * header parser does (remove first, then add).
 */
export function applyHeaderEdits(headers: Record<string, string | string[]>, remove: readonly string[], add: readonly HeaderToAdd[]): void {
  for (const name of remove) if (name !== 'host' && name !== ':authority') delete headers[name];
  for (const h of add) {
    const cur = headers[h.key];
    switch (h.action) {
      case 'ADD_IF_ABSENT':
        if (cur === undefined) headers[h.key] = h.value;
        break;
      case 'OVERWRITE_IF_EXISTS':
        if (cur !== undefined) headers[h.key] = h.value;
        break;
      case 'OVERWRITE_IF_EXISTS_OR_ADD':
        headers[h.key] = h.value;
        break;
      default:
        headers[h.key] = cur === undefined ? h.value : [...(Array.isArray(cur) ? cur : [cur]), h.value];
    }
  }
}
