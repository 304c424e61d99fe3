/**
 * Compiles Envoy's route `HeaderMatcher` (exact_match, safe_regex_match, present_match,
 * string_match, invert_match). A header absent from the request fails every value matcher (and so
 * passes an inverted one); a matcher with no pattern tests presence, as in Envoy.
 */
import type { HeaderMatcher } from '../../xds/envoy-types.js';
import { CompiledStringMatcher } from './string-matcher.js';
import { headerValue, type RequestView } from './request-view.js';

export class CompiledHeaderMatcher {
  private constructor(
    private readonly name: string,
    /** null = presence test */
    private readonly value: CompiledStringMatcher | null,
    /** For presence tests: whether the header must be present. */
    private readonly wantPresent: boolean,
    private readonly invert: boolean,
  ) {}

  static compile(m: HeaderMatcher): CompiledHeaderMatcher {
    const name = m.name.toLowerCase();
    const invert = m.invert_match === true;
    if (m.exact_match !== undefined) return new CompiledHeaderMatcher(name, CompiledStringMatcher.exact(m.exact_match), true, invert);
    if (m.safe_regex_match !== undefined) {
      return new CompiledHeaderMatcher(name, CompiledStringMatcher.regex(m.safe_regex_match.regex), true, invert);
    }
    if (m.string_match !== undefined) return new CompiledHeaderMatcher(name, CompiledStringMatcher.compile(m.string_match), true, invert);
    if (m.present_match !== undefined) return new CompiledHeaderMatcher(name, null, m.present_match, invert);
    return new CompiledHeaderMatcher(name, null, true, invert);
  }

  matches(req: RequestView): boolean {
    const v = headerValue(req, this.name);
    let ok: boolean;
    if (this.value === null) ok = (v !== undefined) === this.wantPresent;
    else ok = v !== undefined && this.value.matches(v);
    return ok !== this.invert;
  }
}
