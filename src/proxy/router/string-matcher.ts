/**
 * Compiles Envoy's `type.matcher.v3.StringMatcher` (exact, prefix, suffix, contains, safe_regex,
 * ignore_case) into a predicate object. `ignore_case` applies to the literal kinds only, as in Envoy.
 */
import type RE2 from 're2';
import type { StringMatcher } from '../../xds/envoy-types.js';
import { compileFullMatch } from './regex.js';

const enum Kind {
  Exact,
  Prefix,
  Suffix,
  Contains,
  Regex,
}

export class CompiledStringMatcher {
  private constructor(
    private readonly kind: Kind,
    private readonly value: string,
    private readonly ignoreCase: boolean,
    private readonly regex: RE2 | null,
  ) {}

  static compile(m: StringMatcher): CompiledStringMatcher {
    const ic = m.ignore_case === true;
    if (m.exact !== undefined) return new CompiledStringMatcher(Kind.Exact, ic ? m.exact.toLowerCase() : m.exact, ic, null);
    if (m.prefix !== undefined) return new CompiledStringMatcher(Kind.Prefix, ic ? m.prefix.toLowerCase() : m.prefix, ic, null);
    if (m.suffix !== undefined) return new CompiledStringMatcher(Kind.Suffix, ic ? m.suffix.toLowerCase() : m.suffix, ic, null);
    if (m.contains !== undefined) return new CompiledStringMatcher(Kind.Contains, ic ? m.contains.toLowerCase() : m.contains, ic, null);
    if (m.safe_regex !== undefined) return new CompiledStringMatcher(Kind.Regex, '', false, compileFullMatch(m.safe_regex.regex));
    throw new Error('string matcher has no match pattern (exact, prefix, suffix, contains or safe_regex)');
  }

  static exact(value: string): CompiledStringMatcher {
    return new CompiledStringMatcher(Kind.Exact, value, false, null);
  }

  static regex(pattern: string): CompiledStringMatcher {
    return new CompiledStringMatcher(Kind.Regex, '', false, compileFullMatch(pattern));
  }

  matches(input: string): boolean {
    const v = this.ignoreCase ? input.toLowerCase() : input;
    switch (this.kind) {
      case Kind.Exact:
        return v === this.value;
      case Kind.Prefix:
        return v.startsWith(this.value);
      case Kind.Suffix:
        return v.endsWith(this.value);
      case Kind.Contains:
        return v.includes(this.value);
      case Kind.Regex:
        return this.regex!.test(input);
    }
  }
}
