/**
 * RouteTable (gateway.solo.io/v1): child routes reached through a delegateAction.
 */
import { obj, arr, int32, type Infer } from '../schema.js';
import { GatewayRoute } from '../types/route.js';

export const RouteTableSpec = obj({
  routes: arr(GatewayRoute).notYet('RouteTable delegation is not implemented yet'),
  weight: int32().notYet('RouteTable delegation is not implemented yet'),
});
export type RouteTableSpec = Infer<typeof RouteTableSpec>;
