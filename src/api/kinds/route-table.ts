/**
 * RouteTable (gateway.solo.io/v1): child routes reached through a delegateAction; `weight` orders the
 * tables one selector matches (ascending, default 0).
 */
import { obj, arr, int32, type Infer } from '../schema.js';
import { GatewayRoute } from '../types/route.js';

export const RouteTableSpec = obj({
  routes: arr(GatewayRoute).supported(),
  weight: int32().supported(),
});
export type RouteTableSpec = Infer<typeof RouteTableSpec>;
