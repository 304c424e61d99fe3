/**
 * Proxy listeners → Envoy Listeners (spec §8.3): the socket address (`::` dual stack) and filter
 * chains running the HTTP connection manager, which fetches its routes over RDS/ADS, with the HTTP
 * filters of the plugins in stage order, router last.
 * - HTTP listener: one filter chain, routes `<listener>-routes`; with `sslConfigurations`, one TLS
 *   filter chain per distinct SslConfig instead (translate-proxy.ts), all sharing those routes.
 * - Hybrid listener: one filter chain per matched HTTP listener, matched on the source address
 *   (`source_prefix_ranges`) and SNI (`server_names` from the matcher's sslConfig), each with its own
 *   routes `<listener>-routes-<matcherHash>`.
 */
import type { MatchedListener, ProxyListener } from '../../api/kinds/proxy.js';
import { TYPE_URL, type FilterChain, type HttpConnectionManager, type Listener } from '../../xds/envoy-types.js';
import type { PluginRegistry } from './registry.js';
import type { ListenerParams } from './plugin.js';
import { orderHttpFilters, type StagedHttpFilter } from './filter-stages.js';
import { routeConfigName } from './names.js';

export const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

/** Envoy's CidrRange: `{address_prefix, prefix_len}`. */
export interface EnvoyCidrRange {
  address_prefix: string;
  prefix_len?: { value: number };
}

/** Envoy's FilterChainMatch, with the fields gloo-ts emits. */
export interface EnvoyFilterChainMatch {
  server_names?: string[];
  transport_protocol?: string;
  source_prefix_ranges?: EnvoyCidrRange[];
}

/** A filter chain with the match fields hybrid listeners need (src/xds/envoy-types.ts types only server_names). */
export type MatchedFilterChain = Omit<FilterChain, 'filter_chain_match'> & { filter_chain_match?: EnvoyFilterChainMatch };

/** The Envoy filter-chain match of a hybrid matcher; undefined for the catch-all. */
export function filterChainMatch(matcher: MatchedListener['matcher']): EnvoyFilterChainMatch | undefined {
  const out: EnvoyFilterChainMatch = {};
  const ranges = matcher?.sourcePrefixRanges ?? [];
  if (ranges.length > 0)
    out.source_prefix_ranges = ranges.map((r) => ({ address_prefix: r.addressPrefix ?? '', prefix_len: { value: r.prefixLen ?? 0 } }));
  const sni = matcher?.sslConfig?.sniDomains ?? [];
  if (sni.length > 0) out.server_names = [...sni];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The HTTP connection manager filter chain of `listener` (its httpListener), routes from `routesName`. */
export function httpFilterChain(params: ListenerParams, registry: PluginRegistry, listener: ProxyListener, routesName: string): FilterChain {
  const filters: StagedHttpFilter[] = [];
  for (const p of registry.httpFilters) filters.push(...p.httpFilters(params, listener));
  const hcm: HttpConnectionManager = {
    '@type': TYPE_URL.httpConnectionManager,
    stat_prefix: listener.httpListener?.statPrefix || 'http',
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routesName },
    http_filters: orderHttpFilters(filters),
  };
  for (const p of registry.httpConnectionManager) p.processHttpConnectionManager(params, listener, hcm);
  return { filters: [{ name: HCM_FILTER_NAME, typed_config: hcm }] };
}

/** The listener filter that reads the TLS ClientHello (SNI, ALPN) for chains matching on `server_names`. */
export const TLS_INSPECTOR: NonNullable<Listener['listener_filters']>[number] = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: { '@type': TYPE_URL.tlsInspector },
};

/** Adds the TLS inspector when a chain matches on SNI, terminates TLS or routes by SNI (sni_cluster), then runs the listener plugins. */
export function finishListener(params: ListenerParams, registry: PluginRegistry, listener: ProxyListener, out: Listener): Listener {
  if (
    out.filter_chains.some(
      (c) =>
        (c.filter_chain_match?.server_names ?? []).length > 0 ||
        c.transport_socket !== undefined ||
        c.filters.some((f) => f.name === 'envoy.filters.network.sni_cluster'),
    )
  )
    out.listener_filters = [TLS_INSPECTOR];
  for (const p of registry.listener) p.processListener(params, listener, out);
  return out;
}

/** An Envoy Listener at the listener's address with the given filter chains. */
export function envoyListener(listener: ProxyListener, filterChains: MatchedFilterChain[]): Listener {
  const address = listener.bindAddress ?? '::';
  return {
    name: listener.name ?? '',
    address: {
      socket_address: { address, port_value: listener.bindPort ?? 0, ...(address === '::' ? { ipv4_compat: true } : {}) },
    },
    filter_chains: filterChains as FilterChain[],
  };
}

export function translateHttpListener(params: ListenerParams, registry: PluginRegistry, listener: ProxyListener): Listener {
  const out = envoyListener(listener, [httpFilterChain(params, registry, listener, routeConfigName(listener.name ?? ''))]);
  return finishListener(params, registry, listener, out);
}
