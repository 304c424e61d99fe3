/**
 * The matcher rules of delegation (spec §1.5, §3.2), in Gloo's words.
 *
 * The delegating (parent) route: at most one matcher ("…must omit or specify a single matcher"); no
 * matcher, or one without a path, means `prefix: /`; the path must be a non-empty prefix ("…must use a
 * prefix matcher"). Headers, query parameters and methods are allowed on it.
 *
 * Each matcher of a delegated (child) route, in this order: its path as text must start with the
 * parent prefix; its `caseSensitive` must equal the parent's; every parent header and query-parameter
 * matcher must be on it, identical; its methods must include the parent's. The first failure is the
 * reason, e.g. `required prefix: /a, prefix: /b: invalid route: route table matchers must begin with
 * the prefix of their parent route's matcher` (Gloo wraps the rule's error with the details first).
 * Values are printed as Go prints them (`[name:"x" value:"y"]`, `[GET POST]`, `value:true`, `<nil>`).
 */
import type { GatewayRoute } from '../../../api/types/route.js';
import type { HeaderMatcher, Matcher, QueryParameterMatcher } from '../../../api/types/matchers.js';
import { pathAsString } from './order-route-tables.js';

export const MATCHER_COUNT_ERR = 'invalid route: routes with delegate actions must omit or specify a single matcher';
export const MISSING_PREFIX_ERR = 'invalid route: routes with delegate actions must use a prefix matcher';
export const INVALID_PREFIX_ERR = "invalid route: route table matchers must begin with the prefix of their parent route's matcher";
export const INVALID_PATH_MATCH_ERR =
  "invalid route: route table matchers must have the same case sensitivity of their parent route's matcher";
export const INVALID_HEADER_ERR = "invalid route: route table matchers must have all headers that were specified on their parent route's matcher";
export const INVALID_QUERY_PARAM_ERR =
  "invalid route: route table matchers must have all query params that were specified on their parent route's matcher";
export const INVALID_METHOD_ERR = "invalid route: route table matchers must have all methods that were specified on their parent route's matcher";

export function delegationCycleErr(chain: readonly string[]): string {
  return `invalid route: delegation cycle detected: ${chain.map((k) => `[${k}]`).join(' -> ')}`;
}

function hasPathSpecifier(m: Matcher): boolean {
  return m.prefix !== undefined || m.exact !== undefined || m.regex !== undefined || m.connectMatcher !== undefined;
}

/** The matcher children inherit from a delegating route, or the reason the route is invalid. */
export function delegateRouteMatcher(route: GatewayRoute): { matcher: Matcher } | { error: string } {
  const matchers = route.matchers ?? [];
  if (matchers.length === 0) return { matcher: { prefix: '/' } };
  if (matchers.length > 1) return { error: MATCHER_COUNT_ERR };
  const m = matchers[0]!;
  // A matcher without a path specifier means `/` — Gloo drops its other criteria too.
  if (!hasPathSpecifier(m)) return { matcher: { prefix: '/' } };
  if (!m.prefix) return { error: MISSING_PREFIX_ERR };
  return { matcher: m };
}

// ---- Go-style printing of the values in the reasons ---------------------------------------------------

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function textFields(fields: [string, string | boolean | undefined][]): string {
  return fields
    .filter(([, v]) => v !== undefined && v !== '' && v !== false)
    .map(([k, v]) => (typeof v === 'string' ? `${k}:${goQuote(v)}` : `${k}:${String(v)}`))
    .join(' ');
}

function formatHeaders(hs: readonly HeaderMatcher[] | undefined): string {
  const items = (hs ?? []).map((h) =>
    textFields([
      ['name', h.name],
      ['value', h.value],
      ['regex', h.regex],
      ['invert_match', h.invertMatch],
    ]),
  );
  return `[${items.join(' ')}]`;
}

function formatQueryParams(qs: readonly QueryParameterMatcher[] | undefined): string {
  const items = (qs ?? []).map((q) =>
    textFields([
      ['name', q.name],
      ['value', q.value],
      ['regex', q.regex],
    ]),
  );
  return `[${items.join(' ')}]`;
}

function formatBoolValue(b: boolean | undefined): string {
  return b === undefined ? '<nil>' : `value:${String(b)}`;
}

function sameHeader(a: HeaderMatcher, b: HeaderMatcher): boolean {
  return (
    (a.name ?? '') === (b.name ?? '') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.regex ?? false) === (b.regex ?? false) &&
    (a.invertMatch ?? false) === (b.invertMatch ?? false)
  );
}

function sameQueryParam(a: QueryParameterMatcher, b: QueryParameterMatcher): boolean {
  return (a.name ?? '') === (b.name ?? '') && (a.value ?? '') === (b.value ?? '') && (a.regex ?? false) === (b.regex ?? false);
}

/** Every `required` entry appears on `actual` (matched by name, then compared whole). */
function includesAll<T extends { name?: string | undefined }>(
  required: readonly T[] | undefined,
  actual: readonly T[] | undefined,
  same: (a: T, b: T) => boolean,
): boolean {
  const byName = new Map((actual ?? []).map((x) => [x.name ?? '', x]));
  return (required ?? []).every((r) => {
    const found = byName.get(r.name ?? '');
    return found !== undefined && same(r, found);
  });
}

/**
 * The reason a child route's matchers do not fit under the parent matcher, or undefined when they
 * do. `child` already has its defaults and inherited matchers applied (merge-child-route.ts).
 */
export function childRouteProblem(parent: Matcher, child: readonly Matcher[]): string | undefined {
  const prefix = parent.prefix ?? '';
  for (const m of child) {
    const path = pathAsString(m);
    if (!path.startsWith(prefix)) return `required prefix: ${prefix}, prefix: ${path}: ${INVALID_PREFIX_ERR}`;
    if (m.caseSensitive !== parent.caseSensitive)
      return `required caseSensitive: ${formatBoolValue(parent.caseSensitive)}, caseSensitive: ${formatBoolValue(m.caseSensitive)}: ${INVALID_PATH_MATCH_ERR}`;
    if (!includesAll(parent.headers, m.headers, sameHeader))
      return `required headers: ${formatHeaders(parent.headers)}, headers: ${formatHeaders(m.headers)}: ${INVALID_HEADER_ERR}`;
    if (!includesAll(parent.queryParameters, m.queryParameters, sameQueryParam))
      return `required query params: ${formatQueryParams(parent.queryParameters)}, query params: ${formatQueryParams(m.queryParameters)}: ${INVALID_QUERY_PARAM_ERR}`;
    const methods = new Set(m.methods ?? []);
    if (!(parent.methods ?? []).every((x) => methods.has(x)))
      return `required methods: [${(parent.methods ?? []).join(' ')}], methods: [${(m.methods ?? []).join(' ')}]: ${INVALID_METHOD_ERR}`;
  }
  return undefined;
}
