/**
 * What a delegated (child) route takes from the route that delegated to it (spec §1.5), applied in
 * Gloo's order before the child's matchers are checked against the parent's:
 *  1. `inheritablePathMatchers` / `inheritableMatchers` left unset on the child take the parent's value
 *     (so they are inherited down the tree; false at the VirtualService);
 *  2. with `inheritablePathMatchers`, each child matcher's path and `caseSensitive` become the parent's
 *     (a child with no matchers gets one with the parent's path);
 *  3. a child still without matchers gets `prefix: /`;
 *  4. with `inheritableMatchers`, the parent's headers, methods and query parameters are put before the
 *     child's on every child matcher;
 *  5. with `stagedTransformations.inheritTransformation`, the parent route's `early` and `regular`
 *     request/response transforms are appended to the child's (a stage the child lacks is taken whole);
 *  6. (after the checks) the options are shallow-merged, the child's fields winning. This generic merge
 *     also hands a child with no `stagedTransformations` at all the parent's whole value, whatever
 *     `inheritTransformation` says — Gloo's code does this, though its docs' inheritance table says a
 *     child does not inherit transformations; we follow the code.
 */
import type { GatewayRoute } from '../../../api/types/route.js';
import type { Matcher } from '../../../api/types/matchers.js';
import type { RouteOptions } from '../../../api/types/options.js';
import type { RequestResponseTransformations, TransformationStages } from '../../../api/types/transformation.js';
import { shallowMerge } from '../options-refs.js';
import { childRouteProblem } from './validate-child-route.js';

/** What a delegating route hands down to the routes of the tables it delegates to. */
export interface ParentRoute {
  /** The delegating route's prefix matcher (after its own inheritance). */
  matcher: Matcher;
  /** Its options, refs and its own parents' options already merged in. */
  options: RouteOptions | undefined;
  /** Its synthesized Proxy route name (route-names.ts). */
  name: string;
  /** Whether it or a route above it has a user `name`. */
  hasName: boolean;
  inheritableMatchers: boolean;
  inheritablePathMatchers: boolean;
}

function concat<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined {
  const out = [...(a ?? []), ...(b ?? [])];
  return out.length > 0 ? out : undefined;
}

/** A matcher with its fields in the schema's order (path, caseSensitive, headers, query parameters, methods). */
function matcher(path: Matcher, criteria: Matcher): Matcher {
  const out: Matcher = {};
  if (path.prefix !== undefined) out.prefix = path.prefix;
  if (path.exact !== undefined) out.exact = path.exact;
  if (path.regex !== undefined) out.regex = path.regex;
  if (path.connectMatcher !== undefined) out.connectMatcher = path.connectMatcher;
  if (path.caseSensitive !== undefined) out.caseSensitive = path.caseSensitive;
  if (criteria.headers) out.headers = criteria.headers;
  if (criteria.queryParameters) out.queryParameters = criteria.queryParameters;
  if (criteria.methods) out.methods = criteria.methods;
  return out;
}

/** `m` with the parent's path specifier and case sensitivity in place of its own. */
function withParentPath(m: Matcher, parent: Matcher): Matcher {
  return matcher(parent, m);
}

/** `m` with the parent's headers, query parameters and methods first. */
function withParentCriteria(m: Matcher, parent: Matcher): Matcher {
  return matcher(m, {
    headers: concat(parent.headers, m.headers),
    queryParameters: concat(parent.queryParameters, m.queryParameters),
    methods: concat(parent.methods, m.methods),
  });
}

function appendStage(
  child: RequestResponseTransformations | undefined,
  parent: RequestResponseTransformations | undefined,
): RequestResponseTransformations | undefined {
  if (!parent) return child;
  if (!child) return parent;
  const out: RequestResponseTransformations = { ...child };
  const requestTransforms = concat(child.requestTransforms, parent.requestTransforms);
  const responseTransforms = concat(child.responseTransforms, parent.responseTransforms);
  if (requestTransforms) out.requestTransforms = requestTransforms;
  if (responseTransforms) out.responseTransforms = responseTransforms;
  return out;
}

/**
 * `options` with the parent's `early` and `regular` transformation stages appended to its own when
 * it sets `stagedTransformations.inheritTransformation` (the parent being the delegating route, or
 * the virtual host for a VirtualService's own routes); `options` unchanged otherwise.
 */
export function inheritTransformations(options: RouteOptions | undefined, parent: TransformationStages | undefined): RouteOptions | undefined {
  const stages = options?.stagedTransformations;
  if (!options || !stages?.inheritTransformation || !parent) return options;
  const merged: TransformationStages = { ...stages };
  const early = appendStage(stages.early, parent.early);
  const regular = appendStage(stages.regular, parent.regular);
  if (early) merged.early = early;
  if (regular) merged.regular = regular;
  return { ...options, stagedTransformations: merged };
}

/**
 * The child route as it goes into the Proxy (steps 1–6 above), or the warning that drops it. `child`
 * is not modified.
 */
export function mergeChildRoute(child: GatewayRoute, parent: ParentRoute): { route: GatewayRoute } | { warning: string } {
  const out: GatewayRoute = { ...child };
  out.inheritablePathMatchers = child.inheritablePathMatchers ?? parent.inheritablePathMatchers;
  out.inheritableMatchers = child.inheritableMatchers ?? parent.inheritableMatchers;
  let matchers: Matcher[] = child.matchers ?? [];
  if (out.inheritablePathMatchers) {
    matchers = matchers.length > 0 ? matchers.map((m) => withParentPath(m, parent.matcher)) : [withParentPath({}, parent.matcher)];
  }
  if (matchers.length === 0) matchers = [{ prefix: '/' }];
  if (out.inheritableMatchers) matchers = matchers.map((m) => withParentCriteria(m, parent.matcher));
  out.matchers = matchers;
  const options = inheritTransformations(child.options, parent.options?.stagedTransformations);
  const problem = childRouteProblem(parent.matcher, matchers);
  if (problem) return { warning: problem };
  const merged = shallowMerge(options, parent.options);
  if (merged) out.options = merged;
  else delete out.options;
  return { route: out };
}
