/**
 * The order in which delegated routes land in the Proxy (spec §1.5): the selected RouteTables are
 * grouped by `spec.weight` (default 0), groups ascending; inside a group of several tables, their
 * routes are sorted by path specificity so that `/foo` does not short-circuit `/foo/bar`; a group of
 * one table keeps the table's own order (Gloo sorts only when several tables share a weight).
 */
import type { Resource } from '../../../api/resource.js';
import type { Matcher } from '../../../api/types/matchers.js';
import type { ProxyRoute } from '../../../api/types/route.js';

/** The tables grouped by weight, lightest group first; each group keeps the selection's order. */
export function groupByWeight(tables: readonly Resource<'RouteTable'>[]): Resource<'RouteTable'>[][] {
  const byWeight = new Map<number, Resource<'RouteTable'>[]>();
  for (const rt of tables) {
    const w = rt.spec.weight ?? 0;
    const group = byWeight.get(w) ?? [];
    group.push(rt);
    byWeight.set(w, group);
  }
  return [...byWeight.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** Path kinds, most specific first: no path (connectMatcher) < exact < regex < prefix. */
function pathTypePriority(m: Matcher): number {
  if (m.exact !== undefined) return 1;
  if (m.regex !== undefined) return 2;
  if (m.prefix !== undefined) return 3;
  return 0;
}

/** The path as text (`prefix`, `exact` or `regex`; empty for a connectMatcher). */
export function pathAsString(m: Matcher): string {
  return m.prefix ?? m.exact ?? m.regex ?? '';
}

/** Byte-wise comparison, as Go compares strings. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Whether matcher `a` is more specific than `b`. The order, Gloo's `routeSorting` (utils.SortRoutesByPath):
 *  1. more `methods` first;
 *  2. then by path kind: no path specifier, then `exact`, then `regex`, then `prefix`;
 *  3. then the lexicographically greater path first (byte order), so `/foo/bar` precedes `/foo`
 *     and `/b` precedes `/a`.
 * Headers and query parameters do not count. Equal matchers keep their order (the sort is stable).
 */
export function moreSpecific(a: Matcher, b: Matcher): boolean {
  const ma = a.methods?.length ?? 0;
  const mb = b.methods?.length ?? 0;
  if (ma !== mb) return ma > mb;
  const pa = pathTypePriority(a);
  const pb = pathTypePriority(b);
  if (pa !== pb) return pa < pb;
  return compareBytes(pathAsString(a), pathAsString(b)) > 0;
}

const DEFAULT_MATCHER: Matcher = { prefix: '/' };

/** A route's most specific matcher (a route without matchers counts as `prefix: /`). */
function mostSpecificMatcher(route: ProxyRoute): Matcher {
  const matchers = route.matchers ?? [];
  let best = matchers[0] ?? DEFAULT_MATCHER;
  for (const m of matchers) if (moreSpecific(m, best)) best = m;
  return best;
}

/** Routes sorted by their most specific matcher (see `moreSpecific`); stable, returns a new list. */
export function sortRoutesBySpecificity(routes: readonly ProxyRoute[]): ProxyRoute[] {
  const keyed = routes.map((route) => ({ route, matcher: mostSpecificMatcher(route) }));
  keyed.sort((x, y) => (moreSpecific(x.matcher, y.matcher) ? -1 : moreSpecific(y.matcher, x.matcher) ? 1 : 0));
  return keyed.map((k) => k.route);
}
