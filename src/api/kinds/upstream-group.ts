/**
 * UpstreamGroup (gloo.solo.io/v1): a named, reusable weighted destination list.
 */
import { obj, arr, type Infer } from '../schema.js';
import { WeightedDestination } from '../types/destination.js';

export const UpstreamGroupSpec = obj({
  destinations: arr(WeightedDestination).notYet('routes to upstream groups answer 503'),
});
export type UpstreamGroupSpec = Infer<typeof UpstreamGroupSpec>;
