/**
 * Small building blocks shared by the Upstream, Settings, AuthConfig and RateLimitConfig schemas:
 * the few protobuf messages several of them reuse (header value options, label selectors, Envoy
 * string matchers, Struct-valued maps), and `notYetObj` re-exported for them.
 */
import { str, bool, arr, map, struct } from '../schema.js';
import { notYetObj } from './field-support.js';
import { ResourceRef } from './core.js';

/** Marks every unmarked field of a message `.notYet(note)`; see `./field-support.ts`. */
export { notYetObj };

/** `{key, value}` (solo.io.envoy.api.v2.core.HeaderValue). */
export const EnvoyHeaderValue = notYetObj('ignored', { key: str(), value: str() });

/** `{header {key, value} | headerSecretRef, append?}` (solo.io.envoy.api.v2.core.HeaderValueOption). */
export const EnvoyHeaderValueOption = notYetObj(
  'ignored',
  { header: EnvoyHeaderValue, headerSecretRef: ResourceRef, append: bool() },
  { oneofs: [['header', 'headerSecretRef']] },
);

/** `map<string, google.protobuf.Struct>`: per-filter-namespace metadata (`{envoy.lb: {version: v1}}`). */
export const StructMap = () => map(struct());

/** Kubernetes LabelSelector as Gloo Settings spell it: `{matchLabels{}, matchExpressions[] {key, operator, values[]}}`. */
export const LabelSelector = notYetObj('ignored', {
  matchLabels: map(str()),
  matchExpressions: arr(notYetObj('ignored', { key: str(), operator: str(), values: arr(str()) })),
});

/** Envoy RegexMatcher and StringMatcher: one definition, in matchers.ts. */
export { RegexMatcher, StringMatcher } from './matchers.js';
