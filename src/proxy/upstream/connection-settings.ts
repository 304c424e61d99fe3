/**
 * How gateway-proxy connects to a cluster's endpoints, compiled once per cluster config from the
 * Envoy Cluster (the data behind a pool and its connector):
 *
 * | Envoy | here |
 * | --- | --- |
 * | `connect_timeout` (5 s) | connector timeout, TCP connect and TLS handshake together |
 * | `common_http_protocol_options.max_requests_per_connection` | undici `maxRequestsPerClient` (HTTP/1.1) |
 * | `common_http_protocol_options.idle_timeout` | undici `keepAliveTimeout` / `keepAliveMaxTimeout` (unset: undici's 4 s, or the server's keep-alive hint) |
 * | `upstream_connection_options.tcp_keepalive.keepalive_time` | `socket.setKeepAlive(true, time)` (probes and interval: the OS's) |
 * | `per_connection_buffer_limit_bytes` | the upstream socket's `highWaterMark` (bytes buffered each way before backpressure) |
 * | `explicit_http_config.http2_protocol_options` (or the cluster's deprecated `http2_protocol_options`) | HTTP/2: ALPN `h2` over TLS, prior knowledge (h2c) in plain text |
 * | `auto_config` | ALPN `h2,http/1.1` over TLS (the server picks), HTTP/1.1 in plain text |
 * | `http2_protocol_options.max_concurrent_streams`, `initial_stream_window_size`, `initial_connection_window_size` | undici `maxConcurrentStreams` (and streams per connection), `initialWindowSize`, `connectionWindowSize` |
 * | `transport_socket` / `transport_socket_matches` | TLS, see tls/upstream-tls-context.ts |
 * | `upstream_http_protocol_options.auto_sni` | SNI from the request's Host, one pool per name (bounded; `AutoSniPool` in connection-pools.ts) |
 * | `circuit_breakers` max_connections | connections per endpoint pool |
 * | `dns_lookup_family` | address family of LOGICAL_DNS connects |
 *
 * Each settings object has a `key`: pools are kept across config updates only while it is unchanged.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Duration, Metadata, TransportSocket } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import { DEFAULT_MAX_CONNECTIONS } from './circuit-breakers.js';
import { familyOf, type LookupFamily } from './dns-cache.js';
import { compileUpstreamTls, metadataMatches, structToJson, withServername, type UpstreamTls } from './tls/upstream-tls-context.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const UPSTREAM_HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
/** Endpoint metadata namespace that selects a `transport_socket_matches` entry. */
export const TRANSPORT_SOCKET_MATCH = 'envoy.transport_socket_match';
/** undici's default when the config does not bound streams per connection. */
const DEFAULT_H2_STREAMS = 100;

export const enum UpstreamProtocol {
  Http1,
  /** Explicit HTTP/2: ALPN h2 over TLS, h2c prior knowledge in plain text. */
  Http2,
  /** `auto_config`: ALPN decides over TLS; HTTP/1.1 in plain text. */
  Auto,
}

export interface Http2Settings {
  maxConcurrentStreams: number;
  initialStreamWindowSize: number | undefined;
  initialConnectionWindowSize: number | undefined;
}

export interface ConnectionSettings {
  /** Fingerprint of everything below: equal keys may share a pool. */
  readonly key: string;
  readonly connectTimeoutMs: number;
  /** 0: unlimited. */
  readonly maxRequestsPerConnection: number;
  /** 0: undici's default. */
  readonly idleTimeoutMs: number;
  /** null: TCP keepalive off (Envoy's default); 0: on with the OS's idle time. */
  readonly tcpKeepaliveMs: number | null;
  /** 0: node's default. */
  readonly bufferLimitBytes: number;
  readonly protocol: UpstreamProtocol;
  readonly http2: Http2Settings | null;
  readonly tls: UpstreamTls | null;
  /** SNI from each request's Host (`auto_sni`); only with TLS. */
  readonly autoSni: boolean;
  readonly family: LookupFamily;
  readonly maxConnections: number;
}

/** The connection settings of one cluster: the default and those of its transport socket matches. */
export class ClusterConnections {
  private constructor(
    readonly base: ConnectionSettings,
    private readonly matches: readonly { match: Record<string, unknown>; settings: ConnectionSettings }[],
  ) {}

  /** Streams share connections (circuit breakers count requests only). */
  get http2(): boolean {
    return this.base.protocol === UpstreamProtocol.Http2;
  }

  /** Throws (the cluster is rejected) when a transport socket cannot be served. */
  static compile(c: Cluster): ClusterConnections {
    const x = c as ClusterWithLegacy;
    const hpo = (c.typed_extension_protocol_options?.[UPSTREAM_HTTP_PROTOCOL_OPTIONS] ?? {}) as HttpProtocolOptions;
    const common = hpo.common_http_protocol_options ?? x.common_http_protocol_options ?? {};
    let protocol = UpstreamProtocol.Http1;
    let h2: Record<string, unknown> | undefined;
    if (hpo.explicit_http_config?.http2_protocol_options !== undefined) {
      protocol = UpstreamProtocol.Http2;
      h2 = hpo.explicit_http_config.http2_protocol_options;
    } else if (hpo.auto_config !== undefined) {
      protocol = UpstreamProtocol.Auto;
      h2 = hpo.auto_config.http2_protocol_options;
    } else if (hpo.explicit_http_config === undefined && x.http2_protocol_options !== undefined) {
      protocol = UpstreamProtocol.Http2;
      h2 = x.http2_protocol_options;
    }
    const http2: Http2Settings | null =
      protocol === UpstreamProtocol.Http1
        ? null
        : {
            maxConcurrentStreams: Math.min(uint(h2?.max_concurrent_streams) ?? DEFAULT_H2_STREAMS, 1 << 16) || DEFAULT_H2_STREAMS,
            initialStreamWindowSize: uint(h2?.initial_stream_window_size),
            initialConnectionWindowSize: uint(h2?.initial_connection_window_size),
          };
    const ka = c.upstream_connection_options?.tcp_keepalive;
    const thresholds = (c.circuit_breakers?.thresholds ?? []) as { priority?: string | number; max_connections?: { value: number } }[];
    const dflt = thresholds.find((t) => t.priority === undefined || t.priority === 'DEFAULT' || t.priority === 0);
    const plain = {
      connectTimeoutMs: durationMs(c.connect_timeout) || DEFAULT_CONNECT_TIMEOUT_MS,
      maxRequestsPerConnection: uint(common.max_requests_per_connection) ?? uint(x.max_requests_per_connection) ?? 0,
      idleTimeoutMs: durationMs(common.idle_timeout),
      tcpKeepaliveMs: ka === undefined || ka === null ? null : (uint(ka.keepalive_time) ?? 0) * 1000,
      bufferLimitBytes: uint(c.per_connection_buffer_limit_bytes) ?? 0,
      protocol,
      http2,
      autoSni: hpo.upstream_http_protocol_options?.auto_sni === true,
      family: familyOf(c.dns_lookup_family),
      maxConnections: Math.max(1, uint(dflt?.max_connections) ?? DEFAULT_MAX_CONNECTIONS),
    };
    const plainKey = JSON.stringify(plain);
    const settingsFor = (socket: TransportSocket | undefined): ConnectionSettings => {
      const tls = cachedTls(socket, protocol === UpstreamProtocol.Http2 ? 'h2' : protocol === UpstreamProtocol.Auto ? 'auto' : 'h1');
      return { ...plain, autoSni: plain.autoSni && tls !== null, tls, key: tls === null ? plainKey : `${plainKey}\u0000${tls.fingerprint}` };
    };
    const base = settingsFor(c.transport_socket);
    const matches = (c.transport_socket_matches ?? []).map((m) => ({ match: structToJson(m.match), settings: settingsFor(m.transport_socket) }));
    return new ClusterConnections(base, matches);
  }

  /** The settings of an endpoint: the first transport socket match its metadata satisfies, else the default. */
  forEndpoint(metadata: Metadata | undefined): ConnectionSettings {
    if (this.matches.length === 0) return this.base;
    const md = structToJson(metadata?.filter_metadata?.[TRANSPORT_SOCKET_MATCH]);
    for (const m of this.matches) if (metadataMatches(m.match, md)) return m.settings;
    return this.base;
  }
}

/** The settings with another SNI (auto_sni: one pool per request Host). */
export function withSni(s: ConnectionSettings, sni: string): ConnectionSettings {
  if (s.tls === null) return s;
  const tls = withServername(s.tls, sni);
  return { ...s, tls, key: `${s.key}\u0000sni=${sni}` };
}

interface HttpProtocolOptions {
  common_http_protocol_options?: CommonHttpProtocolOptions;
  explicit_http_config?: { http_protocol_options?: Record<string, unknown>; http2_protocol_options?: Record<string, unknown> };
  auto_config?: { http_protocol_options?: Record<string, unknown>; http2_protocol_options?: Record<string, unknown> };
  use_downstream_protocol_config?: unknown;
  upstream_http_protocol_options?: { auto_sni?: boolean; auto_san_validation?: boolean };
}

interface CommonHttpProtocolOptions {
  idle_timeout?: Duration;
  max_requests_per_connection?: { value: number } | number;
}

/** Deprecated v3 Cluster fields Envoy still reads (in place of typed_extension_protocol_options). */
interface ClusterWithLegacy extends Cluster {
  http2_protocol_options?: Record<string, unknown>;
  common_http_protocol_options?: CommonHttpProtocolOptions;
  max_requests_per_connection?: { value: number } | number;
}

function uint(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'object' ? Number((v as { value?: unknown }).value) : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function durationMs(d: Duration | undefined): number {
  const ms = durationToMs(d);
  return ms === undefined || !Number.isFinite(ms) || ms < 0 ? 0 : ms;
}

// Compiled TLS contexts by config text: unchanged clusters do not re-read files or re-parse PEM on
// every config update. Bounded; the oldest entry goes first.
const TLS_CACHE_LIMIT = 256;
const tlsCache = new Map<string, UpstreamTls | null>();

function cachedTls(socket: TransportSocket | undefined, mode: 'h1' | 'h2' | 'auto'): UpstreamTls | null {
  if (socket === undefined || socket === null) return null;
  const text = JSON.stringify(socket);
  // Files are part of the identity: a changed file is picked up by the next config that uses it.
  const files = text.includes('"filename"') ? fileStamp(socket) : '';
  const key = createHash('sha256').update(mode).update('\u0000').update(text).update(files).digest('base64');
  const hit = tlsCache.get(key);
  if (hit !== undefined) return hit;
  const tls = compileUpstreamTls(socket, DEFAULT_ALPN[mode]);
  const compiled = tls === null ? null : { ...tls, fingerprint: key };
  if (tlsCache.size >= TLS_CACHE_LIMIT) tlsCache.delete(tlsCache.keys().next().value!);
  tlsCache.set(key, compiled);
  return compiled;
}

/** ALPN offered when the TLS context names none: the cluster's protocol (auto_config lets the server pick). */
const DEFAULT_ALPN: Record<'h1' | 'h2' | 'auto', readonly string[]> = { h1: ['http/1.1'], h2: ['h2'], auto: ['h2', 'http/1.1'] };

function fileStamp(socket: TransportSocket): string {
  const names: string[] = [];
  JSON.stringify(socket, (k, v: unknown) => {
    if (k === 'filename' && typeof v === 'string') names.push(v);
    return v;
  });
  const h = createHash('sha256');
  for (const n of names) {
    h.update(n);
    try {
      h.update(readFileSync(n));
    } catch {
      h.update('<unreadable>');
    }
  }
  return h.digest('base64');
}
