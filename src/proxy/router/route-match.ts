/**
 * Compiles an Envoy `RouteMatch` into a matcher: `prefix` (plain string prefix of the request target,
 * as Envoy matches `:path`), `path` (exact path, query excluded) or `safe_regex` (RE2 full match of
 * the path, query excluded), optionally case-insensitive, ANDed with header and query parameter
 * matchers. Unsupported path specifiers throw, so the route is skipped with a warning.
 */
import type RE2 from 're2';
import type { RouteMatch } from '../../xds/envoy-types.js';
import { CompiledHeaderMatcher } from './header-matcher.js';
import { CompiledQueryMatcher } from './query-matcher.js';
import { compileFullMatch } from './regex.js';
import type { RequestView } from './request-view.js';

export const enum PathKind {
  Prefix,
  Exact,
  Regex,
}

export class CompiledRouteMatch {
  readonly kind: PathKind;
  /** Prefix or exact path; lowercase when the match is case-insensitive. */
  readonly value: string;
  readonly caseSensitive: boolean;
  private readonly regex: RE2 | null;
  private readonly headers: CompiledHeaderMatcher[] | null;
  private readonly query: CompiledQueryMatcher[] | null;

  constructor(m: RouteMatch) {
    this.caseSensitive = m.case_sensitive?.value !== false;
    const spec = (m as { path_specifier?: string }).path_specifier;
    if (spec === 'safe_regex' || (spec === undefined && m.safe_regex !== undefined)) {
      if (!m.safe_regex) throw new Error('safe_regex path specifier without a regex');
      this.kind = PathKind.Regex;
      this.value = '';
      this.regex = compileFullMatch(m.safe_regex.regex, !this.caseSensitive);
    } else if (spec === 'path' || (spec === undefined && m.path !== undefined)) {
      this.kind = PathKind.Exact;
      this.value = this.caseSensitive ? m.path! : m.path!.toLowerCase();
      this.regex = null;
    } else if (spec === 'prefix' || (spec === undefined && m.prefix !== undefined)) {
      this.kind = PathKind.Prefix;
      const p = m.prefix ?? '';
      this.value = this.caseSensitive ? p : p.toLowerCase();
      this.regex = null;
    } else {
      throw new Error(`unsupported route path specifier${spec ? ` ${spec}` : ''}: only prefix, path and safe_regex are supported`);
    }
    this.headers = m.headers && m.headers.length > 0 ? m.headers.map((h) => CompiledHeaderMatcher.compile(h)) : null;
    this.query =
      m.query_parameters && m.query_parameters.length > 0 ? m.query_parameters.map((q) => CompiledQueryMatcher.compile(q)) : null;
  }

  /**
   * `url` is the request target (path and query), `path` the part before `?`, `queryAt` the index
   * of `?` in `url` or -1.
   */
  matches(req: RequestView, url: string, path: string, queryAt: number): boolean {
    switch (this.kind) {
      case PathKind.Prefix: {
        const v = this.value;
        if (this.caseSensitive) {
          if (!url.startsWith(v)) return false;
        } else if (url.length < v.length || url.slice(0, v.length).toLowerCase() !== v) {
          return false;
        }
        break;
      }
      case PathKind.Exact:
        if (this.caseSensitive ? path !== this.value : path.length !== this.value.length || path.toLowerCase() !== this.value) {
          return false;
        }
        break;
      case PathKind.Regex:
        if (!this.regex!.test(path)) return false;
        break;
    }
    if (this.headers !== null) {
      for (const h of this.headers) if (!h.matches(req)) return false;
    }
    if (this.query !== null) {
      const q = queryAt === -1 ? '' : url.slice(queryAt + 1);
      for (const m of this.query) if (!m.matches(q)) return false;
    }
    return true;
  }
}
