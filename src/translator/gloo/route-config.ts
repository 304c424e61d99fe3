/**
 * Proxy virtual hosts → one Envoy RouteConfiguration per listener (`<listener>-routes`, or
 * `<listener>-routes-<matcherHash>` per matched HTTP listener of a hybrid listener): one Envoy
 * virtual host per Proxy virtual host, one Envoy route per matcher, then the route plugins.
 *
 * Invalid routes (`settings.gloo.invalidConfigPolicy.replaceInvalidRoutes`, spec §3.1): a route
 * with a route-level problem — any error reported while translating it (an invalid multi
 * destination, a destination without upstream, an invalid option such as a bad timeout) or a
 * destination that cannot be served (a missing Upstream or UpstreamGroup, an Upstream with errors)
 * — is replaced by a direct response with `invalidRouteResponseCode` / `invalidRouteResponseBody`
 * when the policy is on. Its match is kept, so the request never falls through to a later route.
 * The problems are still reported on the source VirtualService (Warning or Rejected) as without the
 * policy. Without it, a missing destination answers 503 (no such cluster) and a route that cannot
 * be built is left out. A matcher without a path specifier cannot be matched, so it is left out
 * either way.
 */
import type { ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { ProxyRoute } from '../../api/types/route.js';
import type { Matcher } from '../../api/types/matchers.js';
import type { WeightedDestination } from '../../api/types/destination.js';
import type * as envoy from '../../xds/envoy-types.js';
import type { PluginRegistry } from './registry.js';
import type { ProblemSink, TranslationParams, VirtualHostParams } from './plugin.js';
import { envoyRouteName, envoyVirtualHostName, routeConfigName } from './names.js';
import { translateRouteAction } from './route-action.js';
import { sourceSink } from './problem-sink.js';
import { internalError } from '../internal-error.js';
import { resourceKey } from '../../api/resource.js';

const DEFAULT_MATCHERS: Matcher[] = [{ prefix: '/' }];

function hasAction(r: envoy.Route): boolean {
  return r.route !== undefined || r.redirect !== undefined || r.direct_response !== undefined;
}

function hasPath(m: envoy.RouteMatch): boolean {
  return m.prefix !== undefined || m.path !== undefined || m.safe_regex !== undefined || m.connect_matcher !== undefined;
}

/** A sink that forwards to `report` and remembers whether the route turned out invalid. */
function routeSink(report: ProblemSink): ProblemSink & { invalid: boolean } {
  const sink = {
    invalid: false,
    error(m: string) {
      sink.invalid = true;
      report.error(m);
    },
    warning: (m: string) => report.warning(m),
    routeInvalid() {
      sink.invalid = true;
    },
  };
  return sink;
}

function translateRoute(params: VirtualHostParams, registry: PluginRegistry, route: ProxyRoute, routeIndex: number, vhostName: string): envoy.Route[] {
  const report = routeSink(params.report);
  const matchers = route.matchers && route.matchers.length > 0 ? route.matchers : DEFAULT_MATCHERS;
  // WeightedDestinationOptions are translated once per route (the action is shared by its matchers).
  const weightedParams = { ...params, report, routeIndex, matcher: matchers[0]!, matcherIndex: 0 };
  const onCluster =
    registry.weightedDestination.length === 0
      ? undefined
      : (d: WeightedDestination, cw: envoy.ClusterWeight) => {
          for (const p of registry.weightedDestination) p.processWeightedDestination(weightedParams, d, cw);
        };
  const action = route.routeAction ? translateRouteAction(params, report, route.routeAction, onCluster) : undefined;
  const out: envoy.Route[] = [];
  const built: envoy.Route[] = [];
  matchers.forEach((matcher, matcherIndex) => {
    const r: envoy.Route = { name: envoyRouteName(vhostName, routeIndex, matcherIndex, route.name), match: {} };
    if (action) r.route = structuredClone(action);
    const routeParams = { ...params, report, routeIndex, matcher, matcherIndex };
    for (const p of registry.route) p.processRoute(routeParams, route, r);
    if (hasPath(r.match)) built.push(r);
  });
  const policy = params.invalidRoutes;
  for (const r of built) {
    if (report.invalid && policy?.replaceInvalidRoutes) out.push(replacedRoute(r, policy.invalidRouteResponseCode, policy.invalidRouteResponseBody));
    else if (hasAction(r)) out.push(r);
  }
  return out;
}

/** `r` with its action replaced by the invalid-route direct response (match, name and metadata kept). */
function replacedRoute(r: envoy.Route, status: number, body: string): envoy.Route {
  const { route: _route, redirect: _redirect, direct_response: _direct, ...rest } = r;
  return { ...rest, direct_response: { status, body: { inline_string: body } } };
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

/** The RouteConfiguration of an HTTP listener (of `listener.httpListener`), named `name`. */
export function translateRouteConfiguration(
  params: TranslationParams,
  registry: PluginRegistry,
  listener: ProxyListener,
  name = routeConfigName(listener.name ?? ''),
): envoy.RouteConfiguration {
  const virtualHosts: envoy.VirtualHost[] = [];
  for (const vh of listener.httpListener?.virtualHosts ?? []) {
    const build = (reports: TranslationParams['reports']): envoy.VirtualHost | undefined => {
      const vhParams: VirtualHostParams = { ...params, reports, listener, virtualHost: vh, report: sourceSink(reports, params.proxy, vh.metadataStatic) };
      try {
        return translateVirtualHost(vhParams, registry, vh);
      } catch (err) {
        vhParams.report.error(internalError(err));
        return undefined;
      }
    };
    const memo = params.memo;
    const out = memo
      ? (memo.table.compute(`${resourceKey(params.proxy)} ${name} ${vh.name ?? ''}`, [vh, memo.fingerprint], params.reports, build) as
          | envoy.VirtualHost
          | undefined)
      : build(params.reports);
    if (out) virtualHosts.push(out);
  }
  return { name, virtual_hosts: virtualHosts };
}
