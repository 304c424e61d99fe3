/**
 * Request buffering (spec §2.7.2, §2.5.1): `httpGateway.options.buffer {maxRequestBytes}` → Envoy's
 * `envoy.filters.http.buffer` (stage `route`, Gloo's RouteStage); `bufferPerRoute` on virtual hosts,
 * routes and weighted destinations → `typed_per_filter_config['envoy.filters.http.buffer']`
 * (BufferPerRoute `{disabled: true}` or `{buffer: {max_request_bytes}}`). As in Gloo, the per-route
 * settings only act where the listener has the filter.
 */
import type { Plugin } from '../../plugin.js';
import type { BufferPerRoute } from '../../../../api/types/options.js';
import type { Infer } from '../../../../api/schema.js';

type GlooBufferPerRoute = Infer<typeof BufferPerRoute>;
import { TYPE_URL, type TypedConfig } from '../../../../xds/envoy-types.js';

export const BUFFER_FILTER_NAME = 'envoy.filters.http.buffer';

function perRoute(b: GlooBufferPerRoute | undefined, current: Record<string, TypedConfig> | undefined): Record<string, TypedConfig> | undefined {
  if (!b) return current;
  const cfg: TypedConfig = { '@type': TYPE_URL.bufferPerRoute };
  if (b.disabled) cfg.disabled = true;
  else if (b.buffer) cfg.buffer = { max_request_bytes: { value: b.buffer.maxRequestBytes ?? 0 } };
  else return current;
  return { ...current, [BUFFER_FILTER_NAME]: cfg };
}

export const bufferPlugin: Plugin = {
  name: 'buffer',
  processVirtualHost(_params, vh, out) {
    const t = perRoute(vh.options?.bufferPerRoute, out.typed_per_filter_config);
    if (t) out.typed_per_filter_config = t;
  },
  processRoute(_params, route, out) {
    const t = perRoute(route.options?.bufferPerRoute, out.typed_per_filter_config);
    if (t) out.typed_per_filter_config = t;
  },
  processWeightedDestination(_params, d, out) {
    const t = perRoute(d.options?.bufferPerRoute, out.typed_per_filter_config);
    if (t) out.typed_per_filter_config = t;
  },
  httpFilters(_params, listener) {
    const b = listener.httpListener?.options?.buffer;
    if (!b) return [];
    return [{ stage: 'route', filter: { name: BUFFER_FILTER_NAME, typed_config: { '@type': TYPE_URL.buffer, max_request_bytes: { value: b.maxRequestBytes ?? 0 } } } }];
  },
};
