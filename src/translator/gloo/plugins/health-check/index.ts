/**
 * `httpGateway.options.healthCheck.path` → Envoy's `envoy.filters.http.health_check` filter
 * (spec §2.7.2): requests for exactly that path are answered by the proxy (200, or 503 while
 * draining), `pass_through_mode: false`. Stage `authn` (Gloo: during AuthNStage), so load-balancer
 * probes are answered before rate limits and transformations.
 */
import type { Plugin } from '../../plugin.js';
import { TYPE_URL } from '../../../../xds/envoy-types.js';

export const healthCheckPlugin: Plugin = {
  name: 'health-check',
  httpFilters(_params, listener) {
    const path = listener.httpListener?.options?.healthCheck?.path;
    if (path === undefined) return [];
    return [
      {
        stage: 'authn',
        filter: {
          name: 'envoy.filters.http.health_check',
          typed_config: { '@type': TYPE_URL.healthCheck, pass_through_mode: { value: false }, headers: [{ name: ':path', string_match: { exact: path } }] },
        },
      },
    ];
  },
};
