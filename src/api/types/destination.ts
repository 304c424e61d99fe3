/**
 * Route destinations (gloo.solo.io RouteAction / Destination): where a route sends traffic.
 */
import { obj, str, bool, uint32, arr, map, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { WeightedDestinationOptions } from './options.js';
import { notYetObj } from './upstream-common.js';
import { TransformationTemplate } from './transformation.js';

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

const FN_NOTE = 'ignored: function routing is not implemented yet';

/** Values for a REST function's template: `{headers: {':path': '/pets/{id}'}, path: '/pets/{id}'}`. */
export const TransformationParameters = notYetObj(FN_NOTE, { headers: map(str()), path: str() });

/** `rest`: call `serviceSpec.rest.transformations[functionName]` of the upstream. */
export const RestDestinationSpec = notYetObj(FN_NOTE, {
  functionName: str(),
  parameters: TransformationParameters,
  responseTransformation: TransformationTemplate,
});

/** `aws`: invoke the Lambda function `logicalName` of an aws upstream. */
export const AwsDestinationSpec = notYetObj(FN_NOTE, {
  logicalName: str(),
  invocationStyle: enumOf(['SYNC', 'ASYNC'] as const),
  requestTransformation: bool(),
  responseTransformation: bool().notYet('deprecated in Gloo; ignored'),
  unwrapAsAlb: bool(),
  unwrapAsApiGateway: bool(),
  wrapAsApiGateway: bool(),
});
export type AwsDestinationSpec = Infer<typeof AwsDestinationSpec>;

/** `azure`: call function `functionName` of an azure upstream. */
export const AzureDestinationSpec = notYetObj(FN_NOTE, { functionName: str() });

/** `grpc` (deprecated): `{package, service, function, parameters}`. */
export const GrpcDestinationSpec = notYetObj(FN_NOTE, {
  package: str(),
  service: str(),
  function: str(),
  parameters: TransformationParameters,
});

/**
 * Function-level routing, oneof aws | azure | rest | grpc.
 * Example: `{rest: {functionName: findPetById, parameters: {headers: {':path': '/petstore/findWithId/{id}'}}}}`.
 */
export const DestinationSpec = notYetObj(
  FN_NOTE,
  { aws: AwsDestinationSpec, azure: AzureDestinationSpec, rest: RestDestinationSpec, grpc: GrpcDestinationSpec },
  { oneofs: [['aws', 'azure', 'rest', 'grpc']] },
).notYet('function routing is not implemented yet; the route goes to the upstream as is');
export type DestinationSpec = Infer<typeof DestinationSpec>;

/** `{values: {version: v1}}` → the route's `metadata_match` on `envoy.lb` (subset plugin). */
export const Subset = obj({ values: map(str()).supported() });

/** `{upstream | kube | consul, destinationSpec?, subset?}` */
export const Destination = obj(
  {
    upstream: ResourceRef.supported(),
    kube: KubernetesServiceDestination.notYet('routes to kube destinations answer 503'),
    consul: ConsulServiceDestination.notYet('routes to consul destinations answer 503'),
    destinationSpec: DestinationSpec,
    subset: Subset.supported(),
  },
  { oneofs: [['upstream', 'kube', 'consul']] },
);
export type Destination = Infer<typeof Destination>;

/** WeightedDestinationOptions: per-destination options of a `multi` split (defined with the other options). */
export { WeightedDestinationOptions };

export const WeightedDestination = obj({
  destination: Destination.supported(),
  weight: uint32().supported(),
  options: WeightedDestinationOptions.supported(),
});
export type WeightedDestination = Infer<typeof WeightedDestination>;

export const MultiDestination = obj({
  destinations: arr(WeightedDestination).supported(),
});

const TCP_SUBSET_NOTE = 'ignored for TCP: Gloo does not apply subsets to tcp_proxy destinations; all endpoints of the upstream are used';

/** A TCP host's destination: as a route's, but Gloo ignores `subset` there. */
export const TcpDestination = obj({ ...Destination.shape, subset: Subset.notYet(TCP_SUBSET_NOTE) }, Destination.options);

export const TcpMultiDestination = obj({
  destinations: arr(
    obj({
      ...WeightedDestination.shape,
      destination: TcpDestination.supported(),
      options: WeightedDestination.shape.options.notYet('ignored for TCP: Gloo applies no per-destination options to tcp_proxy'),
    }),
  ).supported(),
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
    upstreamGroup: ResourceRef.supported(),
    clusterHeader: str().supported(),
    dynamicForwardProxy: DynamicForwardProxyRouteConfig.notYet('ignored'),
  },
  { oneofs: [['single', 'multi', 'upstreamGroup', 'clusterHeader', 'dynamicForwardProxy']] },
);
export type RouteAction = Infer<typeof RouteAction>;
