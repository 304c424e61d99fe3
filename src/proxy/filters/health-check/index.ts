/**
 * `envoy.filters.http.health_check` (HealthCheck): a request matching every `headers` matcher (Gloo
 * emits one, `:path` exact) is a health check. With `pass_through_mode: false` (Gloo's setting) the
 * proxy answers it itself: 200 while serving, 503 while the proxy or the listener drains, never
 * reaching an upstream. With pass-through the request is only marked as a health check (for the
 * access log's `not_health_check_filter`) and continues. `cache_time` and cluster percentages are
 * not read.
 */
import type { HealthCheckFilter, TypedConfig } from '../../../xds/envoy-types.js';
import { FilterStatus, type FilterCallbacks, type FilterFactory, type StreamFilter } from '../../http/filter.js';
import { CompiledHeaderMatcher } from '../../router/header-matcher.js';

export const HEALTH_CHECK_FILTER = 'envoy.filters.http.health_check';

class HealthCheckFactory implements FilterFactory, StreamFilter {
  readonly name = HEALTH_CHECK_FILTER;
  readonly encodes = false;

  constructor(
    private readonly matchers: readonly CompiledHeaderMatcher[],
    private readonly passThrough: boolean,
  ) {}

  /** Stateless: the factory is its own instance (no per-request allocation). */
  create(): StreamFilter {
    return this;
  }

  decodeHeaders(cb: FilterCallbacks): FilterStatus {
    const req = cb.req;
    for (const m of this.matchers) if (!m.matches(req)) return FilterStatus.Continue;
    cb.markHealthCheck();
    if (this.passThrough) return FilterStatus.Continue;
    if (cb.draining) cb.sendLocalReply(503, null);
    else cb.sendLocalReply(200, null);
    return FilterStatus.StopIteration;
  }
}

export function healthCheckFilterFactory(typed: TypedConfig): FilterFactory {
  const c = typed as HealthCheckFilter;
  const matchers = (c.headers ?? []).map((h) => CompiledHeaderMatcher.compile(h));
  return new HealthCheckFactory(matchers, c.pass_through_mode?.value === true);
}
