/**
 * Proxyless gRPC (issue 4): for every domain a served HTTP virtual host answers, a Listener named
 * exactly that domain carrying an `api_listener` — what a gRPC client with the target
 * `xds:///<domain>` asks LDS for. Its HTTP connection manager fetches, over RDS/ADS, a
 * RouteConfiguration also named after the domain, which holds only that virtual host.
 *
 * Why one RouteConfiguration per domain rather than the socket listener's: gRPC clients validate a
 * RouteConfiguration as a whole, so one redirect, direct response or filter config they do not know
 * on *another* virtual host would make them NACK everything; with one virtual host each, a client
 * only depends on the routes it can actually take. The virtual host is the one already translated
 * for the socket listener (shared, not translated again); its domains become `[<domain>]`, since a
 * gRPC client matches its target name without a port.
 *
 * Which domains: exact names only — `*` and wildcard domains cannot be an `xds:///` target — with a
 * `:port` stripped. A domain served by several listeners gets the first one's virtual host. A domain
 * equal to the name of a socket listener or RouteConfiguration is skipped, so names never collide.
 * The HCM has only the router filter, so the virtual host is served without the per-filter configs
 * (`typed_per_filter_config` of the virtual host, routes and weighted clusters) of filters outside
 * that chain — auth, rate limits, transformations, CORS are the gateway's business, and a gRPC client
 * NACKs a per-filter config it does not know.
 * The gateway's own data plane ignores listeners with `api_listener`; Envoy refuses LDS API
 * listeners with a warning.
 */
import {
  TYPE_URL,
  type HttpConnectionManager,
  type HttpFilter,
  type Listener,
  type Route,
  type RouteConfiguration,
  type VirtualHost,
} from '../../xds/envoy-types.js';

/** The HTTP filters of the api_listener HCM: only those every gRPC xDS client knows. */
const API_LISTENER_FILTERS: HttpFilter[] = [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } }];
const CHAIN = new Set(API_LISTENER_FILTERS.map((f) => f.name));

type PerFilter = { typed_per_filter_config?: Record<string, unknown> };

/** `x` without the per-filter configs of filters outside the chain (the same object when there are none). */
function withChainFilters<T extends PerFilter>(x: T): T {
  const configs = x.typed_per_filter_config;
  if (configs === undefined) return x;
  const kept = Object.entries(configs).filter(([filter]) => CHAIN.has(filter));
  if (kept.length === Object.keys(configs).length) return x;
  const { typed_per_filter_config: _dropped, ...rest } = x;
  return (kept.length > 0 ? { ...rest, typed_per_filter_config: Object.fromEntries(kept) } : rest) as T;
}

function routeForGrpc(r: Route): Route {
  const out = withChainFilters(r);
  const clusters = r.route?.weighted_clusters?.clusters;
  if (!clusters || !clusters.some((c) => c.typed_per_filter_config !== undefined)) return out;
  const weighted = { ...r.route!.weighted_clusters!, clusters: clusters.map(withChainFilters) };
  return { ...out, route: { ...r.route!, weighted_clusters: weighted } };
}

/** The virtual host `vh` as the api_listener `name` serves it. */
function virtualHostForGrpc(vh: VirtualHost, name: string): VirtualHost {
  return { ...withChainFilters(vh), domains: [name], routes: vh.routes.map(routeForGrpc) };
}

/** The name a gRPC client would target for a virtual host domain, or undefined if none can (wildcards). */
export function apiListenerName(domain: string): string | undefined {
  if (domain === '' || domain.includes('*')) return undefined;
  let host = domain;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end > 0) host = host.slice(0, end + 1);
  } else if (host.indexOf(':') === host.lastIndexOf(':')) {
    host = host.replace(/:\d*$/, '');
  }
  return host === '' ? undefined : host;
}

/** The api_listener Listener `name`, whose HCM takes its routes from the RouteConfiguration `name`. */
export function apiListener(name: string): Listener {
  const hcm: HttpConnectionManager = {
    '@type': TYPE_URL.httpConnectionManager,
    stat_prefix: 'http',
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: name },
    http_filters: API_LISTENER_FILTERS.map((f) => ({ ...f })),
  };
  // Envoy requires `address` only of socket listeners (listener.proto); our Listener type, made for
  // those, always has one, hence the cast.
  const listener: Omit<Listener, 'address'> = { name, filter_chains: [], api_listener: { api_listener: hcm } };
  return listener as Listener;
}

/**
 * The api_listener Listeners and their RouteConfigurations for the RouteConfigurations of the
 * socket listeners `listeners`, in their order.
 */
export function translateApiListeners(
  listeners: readonly Listener[],
  routes: readonly RouteConfiguration[],
): { listeners: Listener[]; routes: RouteConfiguration[] } {
  const taken = new Set<string>([...listeners.map((l) => l.name), ...routes.map((r) => r.name)]);
  const out = { listeners: [] as Listener[], routes: [] as RouteConfiguration[] };
  for (const rc of routes) {
    for (const vh of rc.virtual_hosts) {
      for (const domain of vh.domains) {
        const name = apiListenerName(domain);
        if (name === undefined || taken.has(name)) continue;
        taken.add(name);
        const made = apiResourcesFor(vh, name);
        out.listeners.push(made.listener);
        out.routes.push(made.route);
      }
    }
  }
  return out;
}

/**
 * The api listener and route configuration of one domain of a virtual host, made once per virtual
 * host object: incremental translation reuses unchanged Envoy virtual hosts, so their gRPC resources
 * stay the same objects too (the proto check and the xDS server then skip them).
 */
const madeFor = new WeakMap<VirtualHost, Map<string, { listener: Listener; route: RouteConfiguration }>>();

function apiResourcesFor(vh: VirtualHost, name: string): { listener: Listener; route: RouteConfiguration } {
  let byName = madeFor.get(vh);
  if (byName === undefined) madeFor.set(vh, (byName = new Map()));
  let made = byName.get(name);
  if (made === undefined) {
    made = { listener: apiListener(name), route: { name, virtual_hosts: [virtualHostForGrpc(vh, name)] } };
    byName.set(name, made);
  }
  return made;
}
