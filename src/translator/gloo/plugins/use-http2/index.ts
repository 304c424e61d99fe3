/**
 * `useHttp2` → HTTP/2 to the upstream (h2c without TLS), as Gloo emits it:
 * `typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']
 * .explicit_http_config.http2_protocol_options`, with `max_concurrent_streams`,
 * `initial_stream_window_size`, `initial_connection_window_size` and
 * `override_stream_error_on_invalid_http_message` from the Upstream.
 */
import type { Plugin } from '../../plugin.js';
import { explicitHttpConfig } from '../connection-config/index.js';

export const useHttp2Plugin: Plugin = {
  name: 'use-http2',
  processUpstream(_params, upstream, out) {
    const s = upstream.spec;
    if (!s.useHttp2) return;
    const h2: Record<string, unknown> = {};
    if (s.maxConcurrentStreams) h2.max_concurrent_streams = { value: s.maxConcurrentStreams };
    if (s.initialStreamWindowSize) h2.initial_stream_window_size = { value: s.initialStreamWindowSize };
    if (s.initialConnectionWindowSize) h2.initial_connection_window_size = { value: s.initialConnectionWindowSize };
    if (s.overrideStreamErrorOnInvalidHttpMessage !== undefined) h2.override_stream_error_on_invalid_http_message = { value: s.overrideStreamErrorOnInvalidHttpMessage };
    const explicit = explicitHttpConfig(out);
    delete explicit.http_protocol_options;
    explicit.http2_protocol_options = h2;
  },
};
