/**
 * `httpGateway.options.httpConnectionManagerSettings` (spec §2.7.5) → the fields of Envoy's
 * HttpConnectionManager they map to one to one: skip_xff_append, via, xff_num_trusted_hops,
 * use_remote_address, generate_request_id, proxy_100_continue, stream_idle_timeout,
 * idle_timeout / max_connection_duration / max_headers_count / max_stream_duration /
 * headers_with_underscores_action / max_requests_per_connection (common_http_protocol_options),
 * max_request_headers_kb, request_timeout, request_headers_timeout, drain_timeout,
 * delayed_close_timeout, server_name, strip_any_host_port, HTTP/1 options (accept_http_10,
 * default_host_for_http_10, allow_chunked_length, enable_trailers, proper case headers),
 * forward_client_cert_details, set_current_client_cert_details, preserve_external_request_id,
 * upgrades (upgrade_configs), server_header_transformation, path_with_escaped_slashes_action,
 * codec_type, merge_slashes, normalize_path, http2_protocol_options, append_x_forwarded_port.
 * The rest (tracing, uuidRequestIdConfig, internalAddressConfig, earlyHeaderManipulation,
 * preserveCaseHeaderKeyFormat) stays reported as not supported.
 */
import type { Plugin } from '../../plugin.js';
import type { HttpConnectionManager } from '../../../../xds/envoy-types.js';
import { envoyDuration } from '../timeout/index.js';
import { upgradeConfigs } from '../upgrades/index.js';

export const hcmSettingsPlugin: Plugin = {
  name: 'hcm-settings',
  processHttpConnectionManager(params, listener, out) {
    const s = listener.httpListener?.options?.httpConnectionManagerSettings;
    if (!s) return;
    const r = params.report;
    const d = (v: string | undefined, what: string) => envoyDuration(v, r, `httpConnectionManagerSettings.${what}`);
    const hcm: Partial<HttpConnectionManager> = {};
    if (s.skipXffAppend) hcm.skip_xff_append = true;
    if (s.via) hcm.via = s.via;
    if (s.xffNumTrustedHops) hcm.xff_num_trusted_hops = s.xffNumTrustedHops;
    if (s.useRemoteAddress !== undefined) hcm.use_remote_address = { value: s.useRemoteAddress };
    if (s.generateRequestId !== undefined) hcm.generate_request_id = { value: s.generateRequestId };
    if (s.proxy100Continue) hcm.proxy_100_continue = true;
    const streamIdle = d(s.streamIdleTimeout, 'streamIdleTimeout');
    if (streamIdle) hcm.stream_idle_timeout = streamIdle;
    const common: NonNullable<HttpConnectionManager['common_http_protocol_options']> = {};
    const idle = d(s.idleTimeout, 'idleTimeout');
    if (idle) common.idle_timeout = idle;
    const maxConn = d(s.maxConnectionDuration, 'maxConnectionDuration');
    if (maxConn) common.max_connection_duration = maxConn;
    if (s.maxHeadersCount) common.max_headers_count = { value: s.maxHeadersCount };
    const maxStream = d(s.maxStreamDuration, 'maxStreamDuration');
    if (maxStream) common.max_stream_duration = maxStream;
    // Gloo's enum names the second value REJECT_CLIENT_REQUEST; Envoy's is REJECT_REQUEST. ALLOW is Envoy's default.
    if (s.headersWithUnderscoresAction === 'REJECT_CLIENT_REQUEST') common.headers_with_underscores_action = 'REJECT_REQUEST';
    else if (s.headersWithUnderscoresAction === 'DROP_HEADER') common.headers_with_underscores_action = 'DROP_HEADER';
    if (s.maxRequestsPerConnection) common.max_requests_per_connection = { value: s.maxRequestsPerConnection };
    if (Object.keys(common).length > 0) hcm.common_http_protocol_options = common;
    if (s.maxRequestHeadersKb) hcm.max_request_headers_kb = { value: s.maxRequestHeadersKb };
    const reqTimeout = d(s.requestTimeout, 'requestTimeout');
    if (reqTimeout) hcm.request_timeout = reqTimeout;
    const headersTimeout = d(s.requestHeadersTimeout, 'requestHeadersTimeout');
    if (headersTimeout) hcm.request_headers_timeout = headersTimeout;
    const drain = d(s.drainTimeout, 'drainTimeout');
    if (drain) hcm.drain_timeout = drain;
    const delayed = d(s.delayedCloseTimeout, 'delayedCloseTimeout');
    if (delayed) hcm.delayed_close_timeout = delayed;
    if (s.serverName) hcm.server_name = s.serverName;
    if (s.stripAnyHostPort) hcm.strip_any_host_port = true;
    const h1: NonNullable<HttpConnectionManager['http_protocol_options']> = {};
    if (s.acceptHttp10) h1.accept_http_10 = true;
    if (s.defaultHostForHttp10) h1.default_host_for_http_10 = s.defaultHostForHttp10;
    if (s.allowChunkedLength) h1.allow_chunked_length = true;
    if (s.enableTrailers) h1.enable_trailers = true;
    if (s.properCaseHeaderKeyFormat) h1.header_key_format = { proper_case_words: {} };
    if (Object.keys(h1).length > 0) hcm.http_protocol_options = h1;
    // SANITIZE is Envoy's default (0).
    if (s.forwardClientCertDetails && s.forwardClientCertDetails !== 'SANITIZE') hcm.forward_client_cert_details = s.forwardClientCertDetails;
    const cc = s.setCurrentClientCertDetails;
    if (cc) {
      const o: NonNullable<HttpConnectionManager['set_current_client_cert_details']> = {};
      if (cc.subject !== undefined) o.subject = { value: cc.subject };
      if (cc.cert) o.cert = true;
      if (cc.chain) o.chain = true;
      if (cc.dns) o.dns = true;
      if (cc.uri) o.uri = true;
      hcm.set_current_client_cert_details = o;
    }
    if (s.preserveExternalRequestId) hcm.preserve_external_request_id = true;
    if (s.upgrades?.length) {
      const u = upgradeConfigs(s.upgrades, r);
      if (u.length > 0) hcm.upgrade_configs = u;
    }
    if (s.serverHeaderTransformation && s.serverHeaderTransformation !== 'OVERWRITE') hcm.server_header_transformation = s.serverHeaderTransformation;
    if (s.pathWithEscapedSlashesAction && s.pathWithEscapedSlashesAction !== 'IMPLEMENTATION_SPECIFIC_DEFAULT')
      hcm.path_with_escaped_slashes_action = s.pathWithEscapedSlashesAction;
    if (s.codecType && s.codecType !== 'AUTO') hcm.codec_type = s.codecType;
    if (s.mergeSlashes) hcm.merge_slashes = true;
    if (s.normalizePath !== undefined) hcm.normalize_path = { value: s.normalizePath };
    const h2 = s.http2ProtocolOptions;
    if (h2) {
      const o: NonNullable<HttpConnectionManager['http2_protocol_options']> = {};
      if (h2.maxConcurrentStreams) o.max_concurrent_streams = { value: h2.maxConcurrentStreams };
      if (h2.initialStreamWindowSize) o.initial_stream_window_size = { value: h2.initialStreamWindowSize };
      if (h2.initialConnectionWindowSize) o.initial_connection_window_size = { value: h2.initialConnectionWindowSize };
      if (h2.overrideStreamErrorOnInvalidHttpMessage !== undefined)
        o.override_stream_error_on_invalid_http_message = { value: h2.overrideStreamErrorOnInvalidHttpMessage };
      hcm.http2_protocol_options = o;
    }
    if (s.appendXForwardedPort) hcm.append_x_forwarded_port = true;
    Object.assign(out, hcm);
  },
};
