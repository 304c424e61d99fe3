/**
 * One VirtualService → one Proxy virtual host named `<namespace>.<name>`: domains (none ⇒ `*`),
 * routes in order with matchers defaulted (none ⇒ `prefix: /`) and upstream refs namespaced to the
 * VS, options as written, and the VS as source metadata.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { GatewayRoute, ProxyRoute } from '../../api/types/route.js';
import type { Destination, RouteAction } from '../../api/types/destination.js';
import type { Reports } from '../reports.js';
import { sourceMetadata } from '../source-metadata.js';
import { validateRoute } from './validate-route.js';

function withNamespace(dest: Destination | undefined, namespace: string): Destination | undefined {
  if (!dest?.upstream) return dest;
  return { ...dest, upstream: { ...dest.upstream, namespace: dest.upstream.namespace || namespace } };
}

/** Fills the owner's namespace into upstream refs that omit it (spec §1.2). */
export function namespaceRouteAction(action: RouteAction, namespace: string): RouteAction {
  const out: RouteAction = { ...action };
  if (action.single) out.single = withNamespace(action.single, namespace)!;
  if (action.multi) {
    out.multi = {
      ...action.multi,
      destinations: (action.multi.destinations ?? []).map((d) => ({ ...d, destination: withNamespace(d.destination, namespace)! })),
    };
  }
  if (action.upstreamGroup) {
    out.upstreamGroup = { ...action.upstreamGroup, namespace: action.upstreamGroup.namespace || namespace };
  }
  return out;
}

/** A VS route as a Proxy route, or undefined when it cannot be carried (reported on the VS). */
function translateRoute(vs: Resource<'VirtualService'>, route: GatewayRoute, index: number, reports: Reports): ProxyRoute | undefined {
  const label = route.name ? `route ${index} (${route.name})` : `route ${index}`;
  if (route.delegateAction) {
    // Said once: the unsupported-field warning for the field already tells the user, when present.
    const path = `spec.virtualHost.routes[${index}].delegateAction`;
    if (!vs.unsupported.some((u) => u.path === path))
      reports.addWarning(vs, `${label}: delegateAction is not implemented yet (RouteTable delegation, issue 3); the route is dropped`);
    return undefined;
  }
  if (route.graphqlApiRef) return undefined; // reported as an unsupported field
  const out: ProxyRoute = {
    matchers: route.matchers && route.matchers.length > 0 ? route.matchers : [{ prefix: '/' }],
  };
  if (route.routeAction) out.routeAction = namespaceRouteAction(route.routeAction, vs.metadata.namespace);
  else if (route.redirectAction) out.redirectAction = route.redirectAction;
  else if (route.directResponseAction) out.directResponseAction = route.directResponseAction;
  else return undefined;
  if (route.options) out.options = route.options;
  if (route.name) out.name = route.name;
  return out;
}

/**
 * The Proxy virtual host of `vs`, or undefined when the VS has no virtual host. Route problems are
 * errors on the VS; the reconciler then keeps the previous version of its virtual host.
 */
export function virtualHostForVirtualService(vs: Resource<'VirtualService'>, reports: Reports): ProxyVirtualHost | undefined {
  const vh = vs.spec.virtualHost;
  const key = resourceKey(vs);
  if (!vh) {
    reports.addWarning(vs, `virtual service [${key}] does not specify a virtual host`);
    return undefined;
  }
  const routes: ProxyRoute[] = [];
  (vh.routes ?? []).forEach((route, i) => {
    const errors = validateRoute(route, key);
    for (const e of errors) reports.addError(vs, e);
    if (errors.length > 0) return;
    const r = translateRoute(vs, route, i, reports);
    if (r) routes.push(r);
  });
  const out: ProxyVirtualHost = {
    name: key,
    domains: vh.domains && vh.domains.length > 0 ? vh.domains : ['*'],
    routes,
  };
  if (vh.options) out.options = vh.options;
  out.metadataStatic = sourceMetadata([vs]);
  return out;
}
