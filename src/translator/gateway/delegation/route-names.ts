/**
 * Proxy route names (spec §1.5), as Gloo synthesizes them so a route can be traced back through the
 * delegation tree: `vs:<gateway>_<proxy>_<ns>_<vs>_route:<name>` for a VirtualService route, and for
 * each RouteTable level below it `…_rt:<ns>_<table>_route:<name>`, where an unnamed route is
 * `<unnamed-<index>>`. The name is kept only when some route on the chain has a user `name`.
 *
 * Example: `vs:gateway-proxy_gateway-proxy_gloo-system_example_route:api_rt:a_a-routes_route:<unnamed-0>`.
 */
import type { Resource } from '../../../api/resource.js';
import type { ParentRoute } from './merge-child-route.js';

/** The Gateway and proxy a VirtualService is being translated for. */
export interface RouteNaming {
  gatewayName: string;
  proxyName: string;
}

export type RouteOwner = Resource<'VirtualService'> | Resource<'RouteTable'>;

export function routeName(
  owner: RouteOwner,
  naming: RouteNaming,
  parent: ParentRoute | undefined,
  userName: string | undefined,
  index: number,
): { name: string; hasName: boolean } {
  const level = owner.kind === 'VirtualService' ? `vs:${naming.gatewayName}_${naming.proxyName}_` : 'rt:';
  const own = `${level}${owner.metadata.namespace}_${owner.metadata.name}_route:${userName || `<unnamed-${index}>`}`;
  return {
    name: parent ? `${parent.name}_${own}` : own,
    hasName: Boolean(userName) || (parent?.hasName ?? false),
  };
}
