/**
 * RE2 helpers for route config: every regex in a route is RE2 (as in Envoy), never a backtracking JS
 * RegExp. Envoy's `safe_regex` matchers are full matches; substitutions use `\1` group references.
 */
import RE2 from 're2';

/** Compiles an Envoy RegexMatcher pattern so that `test` is a full match of the input. */
export function compileFullMatch(pattern: string, ignoreCase = false): RE2 {
  return new RE2(`^(?:${pattern})$`, ignoreCase ? 'i' : '');
}

/** Compiles a pattern for global search-and-replace (Envoy's regex_rewrite replaces every match). */
export function compileGlobal(pattern: string): RE2 {
  return new RE2(pattern, 'g');
}

/**
 * Converts an Envoy (RE2) substitution string to the JS replacement syntax:
 * `\1` → `$1`, `\\` → `\`, and a literal `$` is escaped as `$$`.
 */
export function toJsReplacement(substitution: string): string {
  let out = '';
  for (let i = 0; i < substitution.length; i++) {
    const c = substitution[i];
    if (c === '$') {
      out += '$$';
    } else if (c === '\\' && i + 1 < substitution.length) {
      const n = substitution[i + 1]!;
      if (n >= '0' && n <= '9') out += n === '0' ? '$&' : '$' + n;
      else out += n;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}
