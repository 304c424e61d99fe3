/**
 * Function-level metadata of an Upstream (`serviceSpec`, §2.2.12: REST functions as transformation
 * templates, gRPC-JSON transcoding, legacy gRPC) and the endpoint subsets of kube upstreams
 * (`subsetSpec`, §2.2.13).
 */
import { obj, str, bool, arr, map, enumOf, type Infer } from '../schema.js';
import { notYetObj } from './upstream-common.js';
import { TransformationTemplate } from './transformation.js';

const FN_NOTE = 'ignored: function routing is not implemented yet';

/**
 * REST functions. Example (written by function discovery):
 *   `{swaggerInfo: {url: http://petstore.default.svc.cluster.local:8080/swagger.json},
 *     transformations: {findPetById: {headers: {':method': {text: GET}, ':path': {text: '/api/pets/{{ default(id, "") }}'}}}}}`
 */
export const RestServiceSpec = notYetObj(FN_NOTE, {
  transformations: map(TransformationTemplate),
  swaggerInfo: notYetObj(FN_NOTE, { url: str(), inline: str() }, { oneofs: [['url', 'inline']] }),
});

import { GrpcJsonTranscoder } from './grpc-json.js';
export { GrpcJsonTranscoder };

/** Deprecated gRPC function spec: `{descriptors (base64), grpcServices[] {packageName, serviceName, functionNames[]}}`. */
export const GrpcServiceSpec = notYetObj(FN_NOTE, {
  descriptors: str(),
  grpcServices: arr(notYetObj(FN_NOTE, { packageName: str(), serviceName: str(), functionNames: arr(str()) })),
});

/** oneof rest | grpc | grpcJsonTranscoder. */
export const ServiceSpec = notYetObj(
  FN_NOTE,
  { rest: RestServiceSpec, grpc: GrpcServiceSpec, grpcJsonTranscoder: GrpcJsonTranscoder },
  { oneofs: [['rest', 'grpc', 'grpcJsonTranscoder']] },
);
export type ServiceSpec = Infer<typeof ServiceSpec>;

/**
 * Example: `{selectors: [{keys: [version]}], fallbackPolicy: DEFAULT_SUBSET, defaultSubset: {values: {version: v1}}}`.
 * Translated to the cluster's `lb_subset_config` (subset plugin) and enforced by the data plane.
 */
export const SubsetSpec = obj({
  selectors: arr(obj({ keys: arr(str()).supported(), singleHostPerSubset: bool().supported() })).supported(),
  fallbackPolicy: enumOf(['ANY_ENDPOINT', 'DEFAULT_SUBSET', 'NO_FALLBACK'] as const).supported(),
  defaultSubset: obj({ values: map(str()).supported() }).supported(),
});
export type SubsetSpec = Infer<typeof SubsetSpec>;
