/**
 * RateLimitConfig (ratelimit.solo.io/v1alpha1): a self-contained rate-limit policy (§2.12): the
 * server-side descriptors and the Envoy-side actions that build descriptors from a request. The
 * descriptor and action types live in `../types/rate-limit.ts`, shared with `settings.ratelimit` and
 * route/vhost `ratelimit`.
 */
import { obj, arr, type Infer } from '../schema.js';
import { notYetObj } from '../types/field-support.js';
import { Descriptor, RateLimitActions, SetDescriptor } from '../types/rate-limit.js';

const NOTE = 'ignored: global rate limiting is not implemented yet';

/** `{descriptors[], rateLimits[], setDescriptors[]}`. */
export const RateLimitConfigRaw = notYetObj(NOTE, {
  descriptors: arr(Descriptor),
  rateLimits: arr(RateLimitActions),
  setDescriptors: arr(SetDescriptor),
});

export const RateLimitConfigSpec = obj(
  {
    raw: RateLimitConfigRaw.notYet('global rate limiting is not implemented yet'),
  },
  { oneofs: [['raw']] },
);
export type RateLimitConfigSpec = Infer<typeof RateLimitConfigSpec>;
