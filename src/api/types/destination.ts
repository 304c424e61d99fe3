/**
 * Route destinations (gloo.solo.io RouteAction / Destination): where a route sends traffic.
 */
import { obj, str, uint32, arr, map, any, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';

/** `kube` destination: a Kubernetes Service port targeted directly. */
export const KubernetesServiceDestination = obj({
  ref: ResourceRef,
  port: uint32(),
});

export const ConsulServiceDestination = obj({
  serviceName: str(),
  tags: arr(str()),
  dataCenters: arr(str()),
});

/** Function-level routing (REST/gRPC/AWS/Azure): filled out by the function-routing issue. */
export const DestinationSpec = any().notYet('function routing is not implemented yet; the route goes to the upstream as is');

export const Subset = obj({ values: map(str()) });

/** `{upstream | kube | consul, destinationSpec?, subset?}` */
export const Destination = obj(
  {
    upstream: ResourceRef.supported(),
    kube: KubernetesServiceDestination.notYet('routes to kube destinations answer 503'),
    consul: ConsulServiceDestination.notYet('routes to consul destinations answer 503'),
    destinationSpec: DestinationSpec,
    subset: Subset.notYet('ignored: all endpoints of the upstream are used'),
  },
  { oneofs: [['upstream', 'kube', 'consul']] },
);
export type Destination = Infer<typeof Destination>;

/** WeightedDestinationOptions: per-destination options of a `multi` split (options issue). */
export const WeightedDestinationOptions = any().notYet('weighted destination options are ignored');

export const WeightedDestination = obj({
  destination: Destination.supported(),
  weight: uint32().supported(),
  options: WeightedDestinationOptions,
});
export type WeightedDestination = Infer<typeof WeightedDestination>;

export const MultiDestination = obj({
  destinations: arr(WeightedDestination).supported(),
});

export const DynamicForwardProxyRouteConfig = obj({
  autoHostRewriteHeader: str(),
  hostRewrite: str(),
});

/** `routeAction`: oneof single | multi | upstreamGroup | clusterHeader | dynamicForwardProxy. */
export const RouteAction = obj(
  {
    single: Destination.supported(),
    multi: MultiDestination.supported(),
    upstreamGroup: ResourceRef.notYet('routes to upstream groups answer 503'),
    clusterHeader: str().supported(),
    dynamicForwardProxy: DynamicForwardProxyRouteConfig.notYet('ignored'),
  },
  { oneofs: [['single', 'multi', 'upstreamGroup', 'clusterHeader', 'dynamicForwardProxy']] },
);
export type RouteAction = Infer<typeof RouteAction>;
