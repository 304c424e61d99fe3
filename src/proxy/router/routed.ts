/**
 * What the router decided for a request, recorded on the request object so `forwardRequest` can read
 * it when its caller does not pass a RouterContext: `findRoute` records the route, `selectCluster`
 * the cluster. Two property writes per request, no allocation.
 */
import type { MetadataMatch } from '../upstream/lb/metadata-match.js';
import type { UpstreamCluster } from '../upstream/upstream-cluster.js';
import type { CompiledRoute } from './compiled-route.js';

export const kRoute = Symbol('gloo.route');
export const kCluster = Symbol('gloo.cluster');
/** The subset match of the weighted cluster chosen (only written for splits that have one). */
export const kMetadataMatch = Symbol('gloo.metadataMatch');

/**
 * A weighted cluster picked before the router ran (Envoy picks it with the route, so HTTP filters use
 * that cluster's `typed_per_filter_config`): the action that picked it and the index in its split.
 */
export const kWeightedPick = Symbol('gloo.weightedPick');

export interface Routed {
  [kWeightedPick]?: { action: object; index: number };
  [kRoute]?: CompiledRoute;
  [kCluster]?: UpstreamCluster | null;
  [kMetadataMatch]?: MetadataMatch | null;
}
