/**
 * Proxy virtual hosts → one Envoy RouteConfiguration per listener (`<listener>-routes`): one Envoy
 * virtual host per Proxy virtual host, one Envoy route per matcher, then the route plugins.
 */
import type { ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { ProxyRoute } from '../../api/types/route.js';
import type { Matcher } from '../../api/types/matchers.js';
import type * as envoy from '../../xds/envoy-types.js';
import type { PluginRegistry } from './registry.js';
import type { TranslationParams, VirtualHostParams } from './plugin.js';
import { envoyRouteName, envoyVirtualHostName, routeConfigName } from './names.js';
import { translateRouteAction } from './route-action.js';
import { sourceSink } from './problem-sink.js';
import { internalError } from '../internal-error.js';

const DEFAULT_MATCHERS: Matcher[] = [{ prefix: '/' }];

function hasAction(r: envoy.Route): boolean {
  return r.route !== undefined || r.redirect !== undefined || r.direct_response !== undefined;
}

function hasPath(m: envoy.RouteMatch): boolean {
  return m.prefix !== undefined || m.path !== undefined || m.safe_regex !== undefined || m.connect_matcher !== undefined;
}

function translateRoute(params: VirtualHostParams, registry: PluginRegistry, route: ProxyRoute, routeIndex: number, vhostName: string): envoy.Route[] {
  const action = route.routeAction ? translateRouteAction(params, params.report, route.routeAction) : undefined;
  const out: envoy.Route[] = [];
  const matchers = route.matchers && route.matchers.length > 0 ? route.matchers : DEFAULT_MATCHERS;
  matchers.forEach((matcher, matcherIndex) => {
    const r: envoy.Route = { name: envoyRouteName(vhostName, routeIndex, matcherIndex, route.name), match: {} };
    if (action) r.route = structuredClone(action);
    const routeParams = { ...params, routeIndex, matcher, matcherIndex };
    for (const p of registry.route) p.processRoute(routeParams, route, r);
    if (hasPath(r.match) && hasAction(r)) out.push(r);
  });
  return out;
}

function translateVirtualHost(params: VirtualHostParams, registry: PluginRegistry, vh: ProxyVirtualHost): envoy.VirtualHost {
  const name = envoyVirtualHostName(vh.name ?? '');
  const out: envoy.VirtualHost = { name, domains: vh.domains && vh.domains.length > 0 ? [...vh.domains] : ['*'], routes: [] };
  (vh.routes ?? []).forEach((route, i) => {
    try {
      out.routes.push(...translateRoute(params, registry, route, i, name));
    } catch (err) {
      params.report.error(internalError(err));
    }
  });
  for (const p of registry.virtualHost) p.processVirtualHost(params, vh, out);
  return out;
}

/** The RouteConfiguration of an HTTP listener. */
export function translateRouteConfiguration(params: TranslationParams, registry: PluginRegistry, listener: ProxyListener): envoy.RouteConfiguration {
  const virtualHosts: envoy.VirtualHost[] = [];
  for (const vh of listener.httpListener?.virtualHosts ?? []) {
    const vhParams: VirtualHostParams = { ...params, listener, virtualHost: vh, report: sourceSink(params.reports, params.proxy, vh.metadataStatic) };
    try {
      virtualHosts.push(translateVirtualHost(vhParams, registry, vh));
    } catch (err) {
      vhParams.report.error(internalError(err));
    }
  }
  return { name: routeConfigName(listener.name ?? ''), virtual_hosts: virtualHosts };
}
