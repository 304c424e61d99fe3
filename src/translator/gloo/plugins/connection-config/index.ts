/**
 * Upstream `connectionConfig` (spec §2.2.11) → the cluster: `connect_timeout` (Gloo's default 5s is
 * the base cluster's), `per_connection_buffer_limit_bytes`, `tcpKeepalive` →
 * `upstream_connection_options.tcp_keepalive` (whole seconds), and — as Gloo does — the HTTP knobs
 * in `typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']`:
 * `common_http_protocol_options {idle_timeout, max_headers_count, max_stream_duration,
 * headers_with_underscores_action, max_requests_per_connection}` and
 * `explicit_http_config.http_protocol_options` from `http1ProtocolOptions`
 * (`enable_trailers`, `proper_case_words`, `override_stream_error_on_invalid_http_message`).
 */
import type { Plugin, ProblemSink } from '../../plugin.js';
import { parseDurationMs } from '../../../../api/schema.js';
import { TYPE_URL, type Cluster, type TypedConfig } from '../../../../xds/envoy-types.js';
import { envoyDuration } from '../timeout/index.js';

export const UPSTREAM_HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** The cluster's upstream HttpProtocolOptions, created on first use (shared with use-http2). */
export function upstreamHttpProtocolOptions(out: Cluster): TypedConfig {
  out.typed_extension_protocol_options ??= {};
  return (out.typed_extension_protocol_options[UPSTREAM_HTTP_PROTOCOL_OPTIONS] ??= { '@type': TYPE_URL.upstreamHttpProtocolOptions });
}

/** The `explicit_http_config` of the cluster's HttpProtocolOptions, created on first use. */
export function explicitHttpConfig(out: Cluster): Record<string, unknown> {
  const o = upstreamHttpProtocolOptions(out);
  return (o.explicit_http_config ??= {}) as Record<string, unknown>;
}

function seconds(text: string | undefined, report: ProblemSink, what: string): { value: number } | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    report.error(`invalid duration for ${what}: ${JSON.stringify(text)}`);
    return undefined;
  }
  return { value: Math.round(ms / 1000) };
}

export const connectionConfigPlugin: Plugin = {
  name: 'connection-config',
  processUpstream(params, upstream, out) {
    const c = upstream.spec.connectionConfig;
    if (!c) return;
    const r = params.report;
    const connect = envoyDuration(c.connectTimeout, r, 'connectionConfig.connectTimeout');
    if (connect) out.connect_timeout = connect;
    if (c.perConnectionBufferLimitBytes !== undefined) out.per_connection_buffer_limit_bytes = { value: c.perConnectionBufferLimitBytes };
    const k = c.tcpKeepalive;
    if (k) {
      const ka: NonNullable<Cluster['upstream_connection_options']>['tcp_keepalive'] = {};
      if (k.keepaliveProbes !== undefined) ka.keepalive_probes = { value: k.keepaliveProbes };
      const time = seconds(k.keepaliveTime, r, 'connectionConfig.tcpKeepalive.keepaliveTime');
      if (time) ka.keepalive_time = time;
      const interval = seconds(k.keepaliveInterval, r, 'connectionConfig.tcpKeepalive.keepaliveInterval');
      if (interval) ka.keepalive_interval = interval;
      out.upstream_connection_options = { tcp_keepalive: ka };
    }
    const common: Record<string, unknown> = {};
    const h = c.commonHttpProtocolOptions;
    if (h) {
      const idle = envoyDuration(h.idleTimeout, r, 'connectionConfig.commonHttpProtocolOptions.idleTimeout');
      if (idle) common.idle_timeout = idle;
      if (h.maxHeadersCount) common.max_headers_count = { value: h.maxHeadersCount };
      const msd = envoyDuration(h.maxStreamDuration, r, 'connectionConfig.commonHttpProtocolOptions.maxStreamDuration');
      if (msd) common.max_stream_duration = msd;
      if (h.headersWithUnderscoresAction && h.headersWithUnderscoresAction !== 'ALLOW') common.headers_with_underscores_action = h.headersWithUnderscoresAction;
    }
    if (c.maxRequestsPerConnection) common.max_requests_per_connection = { value: c.maxRequestsPerConnection };
    if (Object.keys(common).length > 0) upstreamHttpProtocolOptions(out).common_http_protocol_options = common;
    const h1 = c.http1ProtocolOptions;
    if (h1) {
      const o: Record<string, unknown> = {};
      if (h1.enableTrailers) o.enable_trailers = true;
      if (h1.properCaseHeaderKeyFormat) o.header_key_format = { proper_case_words: {} };
      if (h1.preserveCaseHeaderKeyFormat) r.warning('connectionConfig.http1ProtocolOptions.preserveCaseHeaderKeyFormat is not translated yet');
      if (h1.overrideStreamErrorOnInvalidHttpMessage !== undefined) o.override_stream_error_on_invalid_http_message = { value: h1.overrideStreamErrorOnInvalidHttpMessage };
      if (!upstream.spec.useHttp2) explicitHttpConfig(out).http_protocol_options = o;
    }
  },
};
