/**
 * `cors` (route and virtual host) → the per-route config of Envoy's CORS filter (spec §2.5.1):
 * `typed_per_filter_config['envoy.filters.http.cors']` = CorsPolicy with `allow_origin_string_match`
 * (`allowOrigin` exact, `allowOriginRegex` RE2), `allow_methods` / `allow_headers` /
 * `expose_headers` (comma-joined), `max_age`, `allow_credentials`; `disableForRoute` turns the
 * filter off for the route (`filter_enabled` 0%). A route policy replaces the virtual host's
 * (Envoy picks the most specific), except that with the virtual host's
 * `corsPolicyMergeSettings.exposeHeaders: UNION` the route's expose headers include the virtual
 * host's. The `envoy.filters.http.cors` filter (stage `cors`) is added to listeners that use CORS.
 */
import type { Plugin } from '../../plugin.js';
import type { CorsPolicy } from '../../../../api/types/options.js';
import { TYPE_URL, type TypedConfig } from '../../../../xds/envoy-types.js';
import { re2 } from '../basic-route/index.js';

export const CORS_FILTER_NAME = 'envoy.filters.http.cors';

export function corsPolicy(c: CorsPolicy, extraExposeHeaders: readonly string[] = []): TypedConfig {
  const out: TypedConfig = { '@type': TYPE_URL.corsPolicy };
  const origins = [...(c.allowOrigin ?? []).map((o) => ({ exact: o })), ...(c.allowOriginRegex ?? []).map((r) => ({ safe_regex: re2(r) }))];
  if (origins.length > 0) out.allow_origin_string_match = origins;
  if (c.allowMethods?.length) out.allow_methods = c.allowMethods.join(',');
  if (c.allowHeaders?.length) out.allow_headers = c.allowHeaders.join(',');
  const expose = [...new Set([...(c.exposeHeaders ?? []), ...extraExposeHeaders])];
  if (expose.length > 0) out.expose_headers = expose.join(',');
  if (c.maxAge) out.max_age = c.maxAge;
  if (c.allowCredentials !== undefined) out.allow_credentials = { value: c.allowCredentials };
  if (c.disableForRoute) out.filter_enabled = { default_value: {} };
  return out;
}

export const corsPlugin: Plugin = {
  name: 'cors',
  processRoute(params, route, out) {
    const c = route.options?.cors;
    if (!c) return;
    const vh = params.virtualHost.options;
    const union = vh?.corsPolicyMergeSettings?.exposeHeaders === 'UNION' ? (vh.cors?.exposeHeaders ?? []) : [];
    out.typed_per_filter_config = { ...out.typed_per_filter_config, [CORS_FILTER_NAME]: corsPolicy(c, union) };
  },
  processVirtualHost(_params, vh, out) {
    const c = vh.options?.cors;
    if (!c) return;
    out.typed_per_filter_config = { ...out.typed_per_filter_config, [CORS_FILTER_NAME]: corsPolicy(c) };
  },
  httpFilters(_params, listener) {
    const used = (listener.httpListener?.virtualHosts ?? []).some((vh) => vh.options?.cors || (vh.routes ?? []).some((r) => r.options?.cors));
    return used ? [{ stage: 'cors', filter: { name: CORS_FILTER_NAME, typed_config: { '@type': TYPE_URL.cors } } }] : [];
  },
};
