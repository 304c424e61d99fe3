/**
 * Request matchers (matchers.core.gloo.solo.io): the path, header, query and method criteria of a
 * route, also used by transformation matchers.
 */
import { obj, str, bool, uint32, int64, arr, map, enumOf, empty, type Infer } from '../schema.js';
import { notYetObj } from './field-support.js';

/** `{name, value?, regex?, invertMatch?}`: no value ⇒ presence match; regex ⇒ full-match RE2. */
export const HeaderMatcher = obj({
  name: str().supported(),
  value: str().supported(),
  regex: bool().supported(),
  invertMatch: bool().supported(),
});
export type HeaderMatcher = Infer<typeof HeaderMatcher>;

export const QueryParameterMatcher = obj({
  name: str().supported(),
  value: str().supported(),
  regex: bool().supported(),
});
export type QueryParameterMatcher = Infer<typeof QueryParameterMatcher>;

/** One route matcher; all criteria are ANDed. Path oneof: prefix | exact | regex | connectMatcher. */
export const Matcher = obj(
  {
    prefix: str().supported(),
    exact: str().supported(),
    regex: str().supported(),
    connectMatcher: empty().notYet('the route is translated but CONNECT requests are not proxied'),
    caseSensitive: bool().supported(),
    headers: arr(HeaderMatcher).supported(),
    queryParameters: arr(QueryParameterMatcher).supported(),
    methods: arr(str()).supported(),
  },
  { oneofs: [['prefix', 'exact', 'regex', 'connectMatcher']] },
);
export type Matcher = Infer<typeof Matcher>;

// ---- Envoy-style matchers (solo.io.envoy.type.matcher.v3 / config.route.v3), used by options ----

/** `{googleRe2?: {maxProgramSize?}, regex}` — an RE2 regex (Envoy RegexMatcher). */
export const RegexMatcher = notYetObj('ignored', {
  googleRe2: notYetObj('ignored', { maxProgramSize: uint32() }),
  regex: str(),
});
export type RegexMatcher = Infer<typeof RegexMatcher>;

/** `{pattern: {regex}, substitution}` — RE2 substitution (`\1` groups), e.g. `regexRewrite`. */
export const RegexMatchAndSubstitute = notYetObj('ignored', {
  pattern: RegexMatcher,
  substitution: str(),
});
export type RegexMatchAndSubstitute = Infer<typeof RegexMatchAndSubstitute>;

/** Envoy StringMatcher: oneof `exact | prefix | suffix | safeRegex`, plus `ignoreCase`. */
export const StringMatcher = notYetObj(
  'ignored',
  {
    exact: str(),
    prefix: str(),
    suffix: str(),
    safeRegex: RegexMatcher,
    ignoreCase: bool(),
  },
  { oneofs: [['exact', 'prefix', 'suffix', 'safeRegex']] },
);
export type StringMatcher = Infer<typeof StringMatcher>;

export const ListStringMatcher = notYetObj('ignored', { patterns: arr(StringMatcher) });

/** `{start, end}` (end exclusive). */
export const Int64Range = notYetObj('ignored', { start: int64(), end: int64() });

/**
 * Envoy route HeaderMatcher (as used by access-log header filters): `name` plus oneof
 * `exactMatch | safeRegexMatch | rangeMatch | presentMatch | prefixMatch | suffixMatch`, `invertMatch`.
 */
export const EnvoyHeaderMatcher = notYetObj(
  'ignored',
  {
    name: str(),
    exactMatch: str(),
    safeRegexMatch: RegexMatcher,
    rangeMatch: Int64Range,
    presentMatch: bool(),
    prefixMatch: str(),
    suffixMatch: str(),
    invertMatch: bool(),
  },
  { oneofs: [['exactMatch', 'safeRegexMatch', 'rangeMatch', 'presentMatch', 'prefixMatch', 'suffixMatch']] },
);
export type EnvoyHeaderMatcher = Infer<typeof EnvoyHeaderMatcher>;

/** `{addressPrefix, prefixLen}` — an IP range, e.g. a filter chain's source prefix. */
export const CidrRange = notYetObj('ignored', { addressPrefix: str(), prefixLen: uint32() });
export type CidrRange = Infer<typeof CidrRange>;

/** A label-selector requirement: `{key, operator, values[]}` (operators in proto order). */
export const SelectorExpression = notYetObj('ignored', {
  key: str(),
  operator: enumOf([
    'Equals',
    'DoubleEquals',
    'NotEquals',
    'In',
    'NotIn',
    'Exists',
    'DoesNotExist',
    'GreaterThan',
    'LessThan',
  ] as const),
  values: arr(str()),
});

/** selectors.core.gloo.solo.io Selector: `{namespaces[], labels{}, expressions[]}`. */
export const Selector = notYetObj('ignored', {
  namespaces: arr(str()),
  labels: map(str()),
  expressions: arr(SelectorExpression),
});
export type Selector = Infer<typeof Selector>;
