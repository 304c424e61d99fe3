/**
 * The matchers of transformation entries. A `requestTransforms[].matcher` is a Gloo route matcher
 * (prefix / exact / regex path, headers, query parameters, methods), turned into the Envoy RouteMatch
 * Gloo's translator emits for it and compiled with the router's own matcher, so it matches exactly
 * as a route would (path normalised first; regexes are RE2 — envoy-gloo evaluates the path regex of
 * these matchers with std::regex, the same language for the patterns routes accept). A matcher
 * without a path specifier matches every path (envoy-gloo cannot load one; the translator rejects it).
 * A `responseTransforms[].matchers` entry is a Gloo HeaderMatcher on the response headers,
 * `:status` included (repeated headers joined with `,`, as Envoy's header matchers see them).
 */
import type { HeaderMatcher as EnvoyHeaderMatcher, QueryParameterMatcher, RouteMatch } from '../../../xds/envoy-types.js';
import { normalizePath } from '../../router/path-normalize.js';
import type { RequestView } from '../../router/request-view.js';
import { CompiledRouteMatch } from '../../router/route-match.js';
import { CompiledStringMatcher } from '../../router/string-matcher.js';

/** Gloo's `matchers.core.gloo.solo.io.HeaderMatcher`. */
export interface GlooHeaderMatcher {
  name?: string;
  value?: string;
  regex?: boolean;
  invertMatch?: boolean;
}

/** Gloo's `matchers.core.gloo.solo.io.Matcher`. */
export interface GlooMatcher {
  prefix?: string;
  exact?: string;
  regex?: string;
  connectMatcher?: object;
  caseSensitive?: boolean;
  headers?: GlooHeaderMatcher[];
  queryParameters?: { name?: string; value?: string; regex?: boolean }[];
  methods?: string[];
}

const re2 = (regex: string) => ({ google_re2: {}, regex });

/** The Envoy RouteMatch of a Gloo matcher (as Gloo's transformation plugin builds it). */
export function envoyRouteMatch(m: GlooMatcher): RouteMatch {
  const out: RouteMatch = {};
  if (m.prefix !== undefined) out.prefix = m.prefix;
  else if (m.exact !== undefined) out.path = m.exact;
  else if (m.regex !== undefined) out.safe_regex = re2(m.regex);
  else out.prefix = '';
  if (m.caseSensitive !== undefined) out.case_sensitive = { value: m.caseSensitive };
  const headers: EnvoyHeaderMatcher[] = (m.headers ?? []).map((h) => {
    const e: EnvoyHeaderMatcher = { name: h.name ?? '' };
    if (!h.value) e.present_match = true;
    else if (h.regex) e.safe_regex_match = re2(h.value);
    else e.exact_match = h.value;
    if (h.invertMatch) e.invert_match = true;
    return e;
  });
  if (m.methods && m.methods.length > 0) headers.push({ name: ':method', safe_regex_match: re2(m.methods.join('|')) });
  if (headers.length > 0) out.headers = headers;
  const query: QueryParameterMatcher[] = (m.queryParameters ?? []).map((q) =>
    !q.value ? { name: q.name ?? '', present_match: true } : { name: q.name ?? '', string_match: q.regex ? { safe_regex: re2(q.value) } : { exact: q.value } },
  );
  if (query.length > 0) out.query_parameters = query;
  return out;
}

/** A request matcher; throws on an invalid regex. */
export class RequestMatcher {
  private readonly match: CompiledRouteMatch;

  constructor(m: GlooMatcher) {
    this.match = new CompiledRouteMatch(envoyRouteMatch(m));
  }

  matches(req: RequestView): boolean {
    let url = req.url ?? '/';
    let queryAt = url.indexOf('?');
    let path = queryAt === -1 ? url : url.slice(0, queryAt);
    const normal = normalizePath(path);
    if (normal !== null) {
      url = queryAt === -1 ? normal : normal + url.slice(queryAt);
      queryAt = queryAt === -1 ? -1 : normal.length;
      path = normal;
    }
    return this.match.matches(req, url, path, queryAt);
  }
}

/** One response header matcher. */
export class ResponseHeaderMatcher {
  private readonly name: string;
  private readonly value: CompiledStringMatcher | null;
  private readonly invert: boolean;

  constructor(m: GlooHeaderMatcher) {
    this.name = (m.name ?? '').toLowerCase();
    this.value = !m.value ? null : m.regex ? CompiledStringMatcher.regex(m.value) : CompiledStringMatcher.exact(m.value);
    this.invert = m.invertMatch === true;
  }

  /** `headers` is `[name, value, …]` (names in any case). */
  matches(status: number, headers: readonly string[]): boolean {
    let v: string | undefined;
    if (this.name === ':status') v = String(status);
    else {
      const n = this.name;
      for (let i = 0; i < headers.length; i += 2) {
        const k = headers[i]!;
        if (k.length === n.length && (k === n || k.toLowerCase() === n)) v = v === undefined ? headers[i + 1]! : `${v},${headers[i + 1]!}`;
      }
    }
    const ok = this.value === null ? v !== undefined : v !== undefined && this.value.matches(v);
    return ok !== this.invert;
  }
}
