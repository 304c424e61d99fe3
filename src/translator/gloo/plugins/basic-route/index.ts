/**
 * Route matchers → Envoy RouteMatch (spec §2.4.3, §8.3): prefix / path / safe_regex (RE2), case
 * sensitivity, header matchers (exact / regex / presence, inverted), query parameter matchers, and
 * methods as one `:method` regex header matcher (`GET|POST`).
 */
import type { Plugin } from '../../plugin.js';
import type { Matcher } from '../../../../api/types/matchers.js';
import type { HeaderMatcher, QueryParameterMatcher, RegexMatcher, RouteMatch } from '../../../../xds/envoy-types.js';

export function re2(regex: string): RegexMatcher {
  return { google_re2: {}, regex };
}

/** The RouteMatch of one matcher, or undefined when it has no path specifier. */
export function routeMatch(m: Matcher): RouteMatch | undefined {
  const match: RouteMatch = {};
  if (m.prefix !== undefined) match.prefix = m.prefix;
  else if (m.exact !== undefined) match.path = m.exact;
  else if (m.regex !== undefined) match.safe_regex = re2(m.regex);
  else if (m.connectMatcher !== undefined) match.connect_matcher = {};
  else return undefined;
  if (m.caseSensitive !== undefined) match.case_sensitive = { value: m.caseSensitive };
  const headers: HeaderMatcher[] = (m.headers ?? []).map((h) => {
    const out: HeaderMatcher = { name: h.name ?? '' };
    if (!h.value) out.present_match = true;
    else if (h.regex) out.safe_regex_match = re2(h.value);
    else out.exact_match = h.value;
    if (h.invertMatch) out.invert_match = true;
    return out;
  });
  if (m.methods && m.methods.length > 0) headers.push({ name: ':method', safe_regex_match: re2(m.methods.join('|')) });
  if (headers.length > 0) match.headers = headers;
  const query: QueryParameterMatcher[] = (m.queryParameters ?? []).map((q) => {
    if (!q.value) return { name: q.name ?? '', present_match: true };
    return { name: q.name ?? '', string_match: q.regex ? { safe_regex: re2(q.value) } : { exact: q.value } };
  });
  if (query.length > 0) match.query_parameters = query;
  return match;
}

export const basicRoutePlugin: Plugin = {
  name: 'basic-route',
  processRoute(params, _route, out) {
    const match = routeMatch(params.matcher);
    if (!match) {
      params.report.error('no path specifier provided');
      return;
    }
    out.match = match;
  },
};
