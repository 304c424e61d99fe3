/**
 * CSRF protection (spec §2.5.1, §2.7.2): `httpGateway.options.csrf` → Envoy's
 * `envoy.filters.http.csrf` with that CsrfPolicy (stage `route`, Gloo's RouteStage); `csrf` on
 * virtual hosts, routes and weighted destinations → `typed_per_filter_config['envoy.filters.http.csrf']`.
 * `filterEnabled` / `shadowEnabled` → RuntimeFractionalPercents, `additionalOrigins` → StringMatchers.
 * When only routes use CSRF the filter is added with `filter_enabled` 0%, so it acts only where a
 * route enables it (Envoy requires `filter_enabled`).
 */
import type { Plugin } from '../../plugin.js';
import type { CsrfPolicy as GlooCsrfPolicy } from '../../../../api/types/options.js';
import type { StringMatcher as GlooStringMatcher } from '../../../../api/types/matchers.js';
import { TYPE_URL, type StringMatcher, type TypedConfig } from '../../../../xds/envoy-types.js';
import { re2 } from '../basic-route/index.js';

export const CSRF_FILTER_NAME = 'envoy.filters.http.csrf';

type GlooRuntimePercent = NonNullable<GlooCsrfPolicy['filterEnabled']>;

function runtimePercent(p: GlooRuntimePercent): Record<string, unknown> {
  const dv: Record<string, unknown> = {};
  if (p.defaultValue?.numerator) dv.numerator = p.defaultValue.numerator;
  if (p.defaultValue?.denominator && p.defaultValue.denominator !== 'HUNDRED') dv.denominator = p.defaultValue.denominator;
  const out: Record<string, unknown> = { default_value: dv };
  if (p.runtimeKey) out.runtime_key = p.runtimeKey;
  return out;
}

export function stringMatcher(m: GlooStringMatcher): StringMatcher {
  const out: StringMatcher = {};
  if (m.exact !== undefined) out.exact = m.exact;
  else if (m.prefix !== undefined) out.prefix = m.prefix;
  else if (m.suffix !== undefined) out.suffix = m.suffix;
  else if (m.safeRegex) out.safe_regex = re2(m.safeRegex.regex ?? '');
  if (m.ignoreCase) out.ignore_case = true;
  return out;
}

export function csrfPolicy(c: GlooCsrfPolicy): TypedConfig {
  const out: TypedConfig = { '@type': TYPE_URL.csrf, filter_enabled: runtimePercent(c.filterEnabled ?? {}) };
  if (c.shadowEnabled) out.shadow_enabled = runtimePercent(c.shadowEnabled);
  if (c.additionalOrigins?.length) out.additional_origins = c.additionalOrigins.map(stringMatcher);
  return out;
}

function perRoute(c: GlooCsrfPolicy | undefined, current: Record<string, TypedConfig> | undefined): Record<string, TypedConfig> | undefined {
  return c ? { ...current, [CSRF_FILTER_NAME]: csrfPolicy(c) } : current;
}

export const csrfPlugin: Plugin = {
  name: 'csrf',
  processVirtualHost(_params, vh, out) {
    const t = perRoute(vh.options?.csrf, out.typed_per_filter_config);
    if (t) out.typed_per_filter_config = t;
  },
  processRoute(_params, route, out) {
    const t = perRoute(route.options?.csrf, out.typed_per_filter_config);
    if (t) out.typed_per_filter_config = t;
  },
  processWeightedDestination(_params, d, out) {
    const t = perRoute(d.options?.csrf, out.typed_per_filter_config);
    if (t) out.typed_per_filter_config = t;
  },
  httpFilters(_params, listener) {
    const c = listener.httpListener?.options?.csrf;
    const routesUse = (listener.httpListener?.virtualHosts ?? []).some(
      (vh) => vh.options?.csrf || (vh.routes ?? []).some((r) => r.options?.csrf || (r.routeAction?.multi?.destinations ?? []).some((d) => d.options?.csrf)),
    );
    if (!c && !routesUse) return [];
    return [{ stage: 'route', filter: { name: CSRF_FILTER_NAME, typed_config: csrfPolicy(c ?? {}) } }];
  },
};
