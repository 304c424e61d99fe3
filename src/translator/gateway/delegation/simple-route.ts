/**
 * A route with a routeAction, redirectAction or directResponseAction as a Proxy route: matchers
 * defaulted (none ⇒ `prefix: /`), the action and options carried as written, and refs without a
 * namespace given the namespace of the resource that owns the route (VirtualService or RouteTable,
 * spec §1.2). Gloo fills upstream refs (`single`, `multi`); gloo-ts also fills `upstreamGroup` and
 * `kube` service refs the same way, which Gloo leaves empty (so they resolve to nothing there).
 */
import type { Destination, RouteAction } from '../../../api/types/destination.js';
import type { GatewayRoute, ProxyRoute } from '../../../api/types/route.js';

function withNamespace(dest: Destination, namespace: string): Destination {
  if (dest.upstream) return { ...dest, upstream: { ...dest.upstream, namespace: dest.upstream.namespace || namespace } };
  if (dest.kube?.ref) return { ...dest, kube: { ...dest.kube, ref: { ...dest.kube.ref, namespace: dest.kube.ref.namespace || namespace } } };
  return dest;
}

/** `action` with the owner's namespace filled into the refs that omit it. */
export function namespaceRouteAction(action: RouteAction, namespace: string): RouteAction {
  const out: RouteAction = { ...action };
  if (action.single) out.single = withNamespace(action.single, namespace);
  if (action.multi) {
    out.multi = {
      ...action.multi,
      destinations: (action.multi.destinations ?? []).map((d) =>
        d.destination ? { ...d, destination: withNamespace(d.destination, namespace) } : d,
      ),
    };
  }
  if (action.upstreamGroup) out.upstreamGroup = { ...action.upstreamGroup, namespace: action.upstreamGroup.namespace || namespace };
  return out;
}

/** The Proxy route, or undefined when `route` has none of the three actions. */
export function simpleProxyRoute(route: GatewayRoute, ownerNamespace: string, name: string | undefined): ProxyRoute | undefined {
  const out: ProxyRoute = {
    matchers: route.matchers && route.matchers.length > 0 ? route.matchers : [{ prefix: '/' }],
  };
  if (route.routeAction) out.routeAction = namespaceRouteAction(route.routeAction, ownerNamespace);
  else if (route.redirectAction) out.redirectAction = route.redirectAction;
  else if (route.directResponseAction) out.directResponseAction = route.directResponseAction;
  else return undefined;
  if (route.options) out.options = route.options;
  if (name) out.name = name;
  return out;
}
