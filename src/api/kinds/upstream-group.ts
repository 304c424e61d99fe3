/**
 * UpstreamGroup (gloo.solo.io/v1): a named, reusable weighted destination list.
 */
import { obj, arr, type Infer } from '../schema.js';
import { WeightedDestination } from '../types/destination.js';

/**
 * Example (§7.4): `{destinations: [{destination: {upstream: {name: v1, namespace: gloo-system}}, weight: 9},
 * {destination: {upstream: {name: v2, namespace: gloo-system}}, weight: 1}]}`. Each destination may carry a
 * `destinationSpec`, a `subset` and `options` (WeightedDestinationOptions).
 */
export const UpstreamGroupSpec = obj({
  destinations: arr(WeightedDestination).supported(),
});
export type UpstreamGroupSpec = Infer<typeof UpstreamGroupSpec>;
