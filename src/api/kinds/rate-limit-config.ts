/**
 * RateLimitConfig (ratelimit.solo.io/v1alpha1): a self-contained rate-limit policy.
 */
import { obj, any, type Infer } from '../schema.js';

export const RateLimitConfigSpec = obj({
  raw: any().notYet('global rate limiting is not implemented yet'),
});
export type RateLimitConfigSpec = Infer<typeof RateLimitConfigSpec>;
