/**
 * Compiles Envoy's route `QueryParameterMatcher` (string_match, present_match). Values are matched
 * percent-decoded, as Envoy does; a parameter without `=` is present with an empty value. Matching
 * scans the raw query string and allocates only the value it finds.
 */
import type { QueryParameterMatcher } from '../../xds/envoy-types.js';
import { CompiledStringMatcher } from './string-matcher.js';

export class CompiledQueryMatcher {
  private constructor(
    private readonly name: string,
    private readonly value: CompiledStringMatcher | null,
  ) {}

  static compile(m: QueryParameterMatcher): CompiledQueryMatcher {
    if (m.string_match !== undefined) return new CompiledQueryMatcher(m.name, CompiledStringMatcher.compile(m.string_match));
    // present_match (or no matcher at all, which Envoy also treats as presence).
    return new CompiledQueryMatcher(m.name, null);
  }

  /** `query` is the part of the URL after `?` (without it), or '' when there is none. */
  matches(query: string): boolean {
    const v = queryParam(query, this.name);
    if (v === undefined) return false;
    return this.value === null || this.value.matches(v);
  }
}

/** The first value of a query parameter, percent-decoded; undefined when absent. */
export function queryParam(query: string, name: string): string | undefined {
  let start = 0;
  const len = query.length;
  while (start <= len) {
    let end = query.indexOf('&', start);
    if (end === -1) end = len;
    const eq = query.indexOf('=', start);
    const keyEnd = eq === -1 || eq > end ? end : eq;
    if (keyEnd - start === name.length && query.startsWith(name, start)) {
      return keyEnd === end ? '' : decode(query.slice(keyEnd + 1, end));
    }
    start = end + 1;
  }
  return undefined;
}

function decode(s: string): string {
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
