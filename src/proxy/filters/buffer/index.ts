/**
 * `envoy.filters.http.buffer` (Buffer): the whole request body is read before the request is routed
 * (`max_request_bytes`; past it, 413 `Payload Too Large`), so the upstream receives it at once with a
 * `content-length`. Per route (`typed_per_filter_config` BufferPerRoute): `disabled: true` switches it
 * off, `buffer: {max_request_bytes}` replaces the limit. Gloo's `options.buffer` / `bufferPerRoute`.
 */
import type { TypedConfig } from '../../../xds/envoy-types.js';
import type { FilterFactory, StreamFilter } from '../../http/filter.js';

export const BUFFER_FILTER = 'envoy.filters.http.buffer';

interface BufferConfig {
  max_request_bytes?: { value?: number } | number;
}

function limitOf(c: BufferConfig | undefined): number {
  const v = c?.max_request_bytes;
  const n = typeof v === 'number' ? v : v?.value;
  if (n === undefined || !Number.isInteger(n) || n <= 0) throw new Error('buffer max_request_bytes must be a positive integer');
  return n;
}

class BufferFilter implements StreamFilter {
  constructor(readonly maxRequestBytes: number) {}

  decodeBody(): undefined {
    return undefined; // reading the body whole is the point; it is forwarded unchanged
  }
}

/** Per-route: a limit, or null when the route disables the filter. */
type PerRoute = number | null;

export function bufferFilterFactory(typed: TypedConfig): FilterFactory<PerRoute> {
  const limit = limitOf(typed as BufferConfig);
  const shared = new BufferFilter(limit);
  return {
    name: BUFFER_FILTER,
    encodes: false,
    create: (perRoute) => (perRoute === null ? null : perRoute === undefined ? shared : new BufferFilter(perRoute)),
    compilePerRoute(t: TypedConfig): PerRoute {
      const p = t as { disabled?: boolean; buffer?: BufferConfig };
      if (p.disabled === true) return null;
      return limitOf(p.buffer);
    },
  };
}
