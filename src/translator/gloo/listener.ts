/**
 * Proxy HTTP listeners → Envoy Listeners (spec §8.3): the socket address (`::` dual stack), one
 * filter chain with the HTTP connection manager fetching its routes over RDS/ADS, and the HTTP
 * filters of the plugins in stage order, router last.
 */
import type { ProxyListener } from '../../api/kinds/proxy.js';
import { TYPE_URL, type HttpConnectionManager, type Listener } from '../../xds/envoy-types.js';
import type { PluginRegistry } from './registry.js';
import type { ListenerParams } from './plugin.js';
import { orderHttpFilters, type StagedHttpFilter } from './filter-stages.js';
import { routeConfigName } from './names.js';

export const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

export function translateHttpListener(params: ListenerParams, registry: PluginRegistry, listener: ProxyListener): Listener {
  const name = listener.name ?? '';
  const address = listener.bindAddress ?? '::';
  const filters: StagedHttpFilter[] = [];
  for (const p of registry.httpFilters) filters.push(...p.httpFilters(params, listener));
  const hcm: HttpConnectionManager = {
    '@type': TYPE_URL.httpConnectionManager,
    stat_prefix: listener.httpListener?.statPrefix || 'http',
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routeConfigName(name) },
    http_filters: orderHttpFilters(filters),
  };
  return {
    name,
    address: {
      socket_address: { address, port_value: listener.bindPort ?? 0, ...(address === '::' ? { ipv4_compat: true } : {}) },
    },
    filter_chains: [{ filters: [{ name: HCM_FILTER_NAME, typed_config: hcm }] }],
  };
}
