/**
 * RouteOption (gateway.solo.io/v1): a reusable RouteOptions blob, pulled into routes by
 * `route.optionsConfigRefs.delegateOptions` (inline options win, then earlier refs).
 *
 * Example:
 *   options: {timeout: 10s, retries: {retryOn: 5xx, numRetries: 2}}
 */
import { obj, str, arr, type Infer } from '../schema.js';
import { RouteOptions } from '../types/options.js';
import { notYetObj } from '../types/field-support.js';

/** core.skv2.solo.io PolicyTargetReference: `{group, kind, name, namespace?}` (Kubernetes Gateway API policy attachment). */
export const PolicyTargetReference = notYetObj('ignored', {
  group: str(),
  kind: str(),
  name: str(),
  namespace: str(),
});

export const RouteOptionSpec = obj({
  options: RouteOptions.supported(),
  targetRefs: arr(PolicyTargetReference).notYet('ignored: targetRefs attach policies in Kubernetes Gateway API mode only'),
});
export type RouteOptionSpec = Infer<typeof RouteOptionSpec>;
