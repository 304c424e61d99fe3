/**
 * Global rate limiting (EE): the ratelimit.api.solo.io messages — server-side descriptors and the
 * Envoy-side actions that build descriptors from a request — and the rate-limit server settings
 * (ratelimit.options.gloo.solo.io Settings). One definition each, shared by the RateLimitConfig kind,
 * `settings.ratelimit` / `settings.ratelimitServer`, route and virtual host `ratelimit*` options and the
 * listener's `ratelimitServer`.
 *
 * Example (a RateLimitConfig's `raw`):
 *   descriptors: [{key: generic_key, value: counter, rateLimit: {requestsPerUnit: 10, unit: MINUTE}}]
 *   rateLimits: [{actions: [{genericKey: {descriptorValue: counter}}]}]
 */
import { str, bool, uint32, duration, arr, empty, enumOf, lazy, type Infer, type Schema } from '../schema.js';
import { ResourceRef } from './core.js';
import { Int64Range } from './matchers.js';
import { notYetObj } from './field-support.js';

const NOTE = 'ignored: global rate limiting is not implemented yet';

// ---- server side: limits and descriptors ------------------------------------------------------------

/**
 * ratelimit.api.solo.io RateLimit: `{unit, requestsPerUnit}`; units in proto order (UNKNOWN = 0).
 * Example: `{requestsPerUnit: 10, unit: MINUTE}`.
 */
export const RateLimitValue = notYetObj(NOTE, {
  unit: enumOf(['UNKNOWN', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'MONTH', 'YEAR', 'WEEK'] as const),
  requestsPerUnit: uint32(),
});
export type RateLimitValue = Infer<typeof RateLimitValue>;

export interface Descriptor {
  key?: string;
  value?: string;
  rateLimit?: RateLimitValue;
  descriptors?: Descriptor[];
  weight?: number;
  alwaysApply?: boolean;
}

/**
 * A server-side rule, nested to any depth. Example:
 *   `{key: generic_key, value: counter, rateLimit: {requestsPerUnit: 10, unit: MINUTE}}`
 */
export const Descriptor: Schema<Descriptor> = lazy(
  (): Schema<Descriptor> =>
    notYetObj(NOTE, {
      key: str(),
      value: str(),
      rateLimit: RateLimitValue,
      descriptors: arr(Descriptor),
      weight: uint32(),
      alwaysApply: bool(),
    }),
);

/** A set-style rule: `{simpleDescriptors[] {key, value}, rateLimit, alwaysApply}`. */
export const SetDescriptor = notYetObj(NOTE, {
  simpleDescriptors: arr(notYetObj(NOTE, { key: str(), value: str() })),
  rateLimit: RateLimitValue,
  alwaysApply: bool(),
});
export type SetDescriptor = Infer<typeof SetDescriptor>;

// ---- Envoy side: actions -----------------------------------------------------------------------------

/** `{key, path[] {key}}`: where to read a value in Envoy metadata. */
export const RateLimitMetadataKey = notYetObj(NOTE, { key: str(), path: arr(notYetObj(NOTE, { key: str() })) });

/** Header matcher of a `headerValueMatch` action; match oneof exact | regex | range | present | prefix | suffix. */
export const RateLimitHeaderMatcher = notYetObj(
  NOTE,
  {
    name: str(),
    exactMatch: str(),
    regexMatch: str(),
    rangeMatch: Int64Range,
    presentMatch: bool(),
    prefixMatch: str(),
    suffixMatch: str(),
    invertMatch: bool(),
  },
  { oneofs: [['exactMatch', 'regexMatch', 'rangeMatch', 'presentMatch', 'prefixMatch', 'suffixMatch']] },
);

/**
 * One descriptor entry built from the request. Example: `{requestHeaders: {headerName: x-type, descriptorKey: type}}`.
 * Oneof sourceCluster | destinationCluster | requestHeaders | remoteAddress | genericKey | headerValueMatch | metadata | cel.
 */
export const RateLimitAction = notYetObj(
  NOTE,
  {
    sourceCluster: empty(),
    destinationCluster: empty(),
    requestHeaders: notYetObj(NOTE, { headerName: str(), descriptorKey: str() }),
    remoteAddress: empty(),
    genericKey: notYetObj(NOTE, { descriptorValue: str() }),
    headerValueMatch: notYetObj(NOTE, {
      descriptorValue: str(),
      expectMatch: bool(),
      headers: arr(RateLimitHeaderMatcher),
    }),
    metadata: notYetObj(NOTE, {
      descriptorKey: str(),
      metadataKey: RateLimitMetadataKey,
      defaultValue: str(),
      source: enumOf(['DYNAMIC', 'ROUTE_ENTRY'] as const),
    }),
    cel: notYetObj(NOTE, { expression: str(), key: str() }),
  },
  {
    oneofs: [
      [
        'sourceCluster',
        'destinationCluster',
        'requestHeaders',
        'remoteAddress',
        'genericKey',
        'headerValueMatch',
        'metadata',
        'cel',
      ],
    ],
  },
);
export type RateLimitAction = Infer<typeof RateLimitAction>;

/** `{actions[] (ordered tuple) | setActions[] (unordered set), limit {dynamicMetadata {metadataKey}}, type}`. */
export const RateLimitActions = notYetObj(NOTE, {
  actions: arr(RateLimitAction),
  setActions: arr(RateLimitAction),
  limit: notYetObj(NOTE, { dynamicMetadata: notYetObj(NOTE, { metadataKey: RateLimitMetadataKey }) }),
  type: enumOf(['REQUEST', 'TOKEN'] as const),
});
export type RateLimitActions = Infer<typeof RateLimitActions>;

// ---- the rate-limit server ---------------------------------------------------------------------------

/**
 * Where the rate-limit server is and how the filter calls it (`settings.ratelimitServer`, listener
 * `ratelimitServer`): `{ratelimitServerRef, requestTimeout, denyOnFail, enableXRatelimitHeaders,
 * rateLimitBeforeAuth, grpcService {authority}}`.
 */
export const RateLimitServerSettings = notYetObj(
  NOTE,
  {
    ratelimitServerRef: ResourceRef,
    requestTimeout: duration(),
    denyOnFail: bool(),
    enableXRatelimitHeaders: bool(),
    rateLimitBeforeAuth: bool(),
    grpcService: notYetObj('ignored', { authority: str() }),
  },
  { oneofs: [['grpcService']] },
);
