/**
 * RateLimitConfig (ratelimit.solo.io/v1alpha1): a self-contained rate-limit policy (§2.12): the
 * server-side descriptors and the Envoy-side actions that build descriptors from a request. The
 * descriptor and action types are shared with `settings.ratelimit` and route/vhost `ratelimit`.
 */
import { obj, str, bool, uint32, int64, arr, empty, enumOf, lazy, type Infer, type Schema } from '../schema.js';
import { notYetObj } from '../types/upstream-common.js';

const NOTE = 'ignored: global rate limiting is not implemented yet';

/** `{requestsPerUnit, unit}`. Example: `{requestsPerUnit: 10, unit: MINUTE}`. */
export const RateLimit = notYetObj(NOTE, {
  unit: enumOf(['UNKNOWN', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'MONTH', 'YEAR', 'WEEK'] as const),
  requestsPerUnit: uint32(),
});
export type RateLimit = Infer<typeof RateLimit>;

export interface Descriptor {
  key?: string;
  value?: string;
  rateLimit?: RateLimit;
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
      rateLimit: RateLimit,
      descriptors: arr(Descriptor),
      weight: uint32(),
      alwaysApply: bool(),
    }),
);

/** A set-style rule: `{simpleDescriptors[] {key, value}, rateLimit, alwaysApply}`. */
export const SetDescriptor = notYetObj(NOTE, {
  simpleDescriptors: arr(notYetObj(NOTE, { key: str(), value: str() })),
  rateLimit: RateLimit,
  alwaysApply: bool(),
});
export type SetDescriptor = Infer<typeof SetDescriptor>;

/** `{key, path[] {key}}`: where to read a value in Envoy metadata. */
export const MetadataKey = notYetObj(NOTE, { key: str(), path: arr(notYetObj(NOTE, { key: str() })) });

/** Header matcher of a `headerValueMatch` action; match oneof exact | regex | range | present | prefix | suffix. */
export const RateLimitHeaderMatcher = notYetObj(
  NOTE,
  {
    name: str(),
    exactMatch: str(),
    regexMatch: str(),
    rangeMatch: notYetObj(NOTE, { start: int64(), end: int64() }),
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
      metadataKey: MetadataKey,
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

/** `{actions[] (ordered tuple), setActions[] (unordered set), limit {dynamicMetadata {metadataKey}}, type}`. */
export const RateLimitActions = notYetObj(NOTE, {
  actions: arr(RateLimitAction),
  setActions: arr(RateLimitAction),
  limit: notYetObj(NOTE, { dynamicMetadata: notYetObj(NOTE, { metadataKey: MetadataKey }) }),
  type: enumOf(['REQUEST', 'TOKEN'] as const),
});
export type RateLimitActions = Infer<typeof RateLimitActions>;

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
