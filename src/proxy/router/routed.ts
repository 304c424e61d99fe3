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

export interface Routed {
  [kRoute]?: CompiledRoute;
  [kCluster]?: UpstreamCluster | null;
  [kMetadataMatch]?: MetadataMatch | null;
}
