/**
 * Small building blocks shared by the Upstream, Settings, AuthConfig and RateLimitConfig schemas:
 * the few protobuf messages several of them reuse (header value options, label selectors, Envoy
 * string matchers, Struct-valued maps), and `notYetObj` re-exported for them.
 */
import { str, arr, map, struct } from '../schema.js';
import { notYetObj } from './field-support.js';

/** Marks every unmarked field of a message `.notYet(note)`; see `./field-support.ts`. */
export { notYetObj };

/**
 * solo.io.envoy.api.v2.core HeaderValue `{key, value}` and HeaderValueOption `{header {key, value} |
 * headerSecretRef, append?}`: one definition each, with the header manipulation options.
 */
export { HeaderValue as EnvoyHeaderValue, HeaderValueOption as EnvoyHeaderValueOption } from './options.js';

/** `map<string, google.protobuf.Struct>`: per-filter-namespace metadata (`{envoy.lb: {version: v1}}`). */
export const StructMap = () => map(struct());

/** Kubernetes LabelSelector as Gloo Settings spell it: `{matchLabels{}, matchExpressions[] {key, operator, values[]}}`. */
export const LabelSelector = notYetObj('ignored', {
  matchLabels: map(str()),
  matchExpressions: arr(notYetObj('ignored', { key: str(), operator: str(), values: arr(str()) })),
});

/** Envoy RegexMatcher and StringMatcher: one definition, in matchers.ts. */
export { RegexMatcher, StringMatcher } from './matchers.js';
