/**
 * Gloo's extractors (`transformationTemplate.extractors`, spec §4.5), compiled once and run per
 * request by the transformation filter; the translator compiles them too, to reject invalid ones.
 *
 * Regex dialect: envoy-gloo compiles extractor regexes with C++ `std::regex` (ECMAScript grammar), a
 * backtracking engine — not RE2 like route matchers. We use JavaScript's RegExp, which implements
 * the same ECMAScript grammar and matching rules (leftmost, alternatives in order, greedy or lazy
 * quantifiers, backreferences, lookahead), so patterns and captures agree; the constructs JavaScript
 * has and std::regex has not (lookbehind, named groups, the `u`/`s` flags' syntax) are rejected as
 * std::regex rejects them. Inputs are bounded (one header value, or a body under the buffer limit).
 * Modes, as envoy-gloo runs them:
 *  - EXTRACT: the regex must match the whole input (`std::regex_match`); the result is group
 *    `subgroup` ("" when the regex does not match or the group did not participate);
 *  - SINGLE_REPLACE: the first match (`std::regex_search`) must span the whole input; group
 *    `subgroup` is replaced by `replacementText`; otherwise the input is returned unchanged;
 *  - REPLACE_ALL: every non-empty match is replaced by `replacementText`, whose `$&`, `$1`…`$99`,
 *    `` $` ``, `$'` and `$$` expand as in ECMAScript (`std::regex_replace` with `match_not_null`).
 *    Differs from std::regex in one corner: where the regex could match empty or non-empty at the
 *    same place (a lazy `a*?`), std::regex looks for the non-empty match and we skip the place.
 *
 * Example: `compileExtractor('foo', {header: ':path', regex: '.*foo=([^&]*).*', subgroup: 1})`.
 */

export type ExtractionMode = 'EXTRACT' | 'SINGLE_REPLACE' | 'REPLACE_ALL';

/** An extractor as configured (Gloo's `Extraction`, camelCase). */
export interface ExtractionConfig {
  header?: string | undefined;
  body?: object | undefined;
  regex?: string | undefined;
  subgroup?: number | undefined;
  replacementText?: string | undefined;
  mode?: ExtractionMode | number | undefined;
}

/** A configuration problem, with envoy-gloo's or Gloo's wording. */
export class ExtractorConfigError extends Error {
  override readonly name = 'ExtractorConfigError';
}

export class CompiledExtractor {
  private constructor(
    readonly name: string,
    /** Lowercase header name, or null for the body. */
    readonly header: string | null,
    readonly mode: ExtractionMode,
    readonly subgroup: number,
    private readonly full: RegExp,
    private readonly search: RegExp,
    private readonly replacement: string,
  ) {}

  get fromBody(): boolean {
    return this.header === null;
  }

  /** Compiles one extractor; throws ExtractorConfigError. */
  static compile(name: string, e: ExtractionConfig): CompiledExtractor {
    const mode = extractionMode(e.mode);
    if (mode === null) throw new ExtractorConfigError(`unknown extraction mode for extractor ${name}`);
    const subgroup = e.subgroup ?? 0;
    // Gloo's translator checks (projects/gloo/pkg/plugins/transformation): wording kept.
    if (mode === 'EXTRACT' && e.replacementText !== undefined && e.replacementText !== '') {
      throw new ExtractorConfigError(`replacement text should not be set for extractor ${name} in mode EXTRACT`);
    }
    if (mode !== 'EXTRACT' && e.replacementText === undefined) {
      throw new ExtractorConfigError(`replacement text must be set for extractor ${name} in mode ${mode}`);
    }
    if (mode === 'REPLACE_ALL' && subgroup !== 0) throw new ExtractorConfigError(`subgroup should not be set for extractor ${name} in mode REPLACE_ALL`);
    const pattern = e.regex ?? '';
    const search = compileEcmaRegex(pattern, mode === 'SINGLE_REPLACE' ? 'd' : mode === 'REPLACE_ALL' ? 'g' : '');
    const groups = groupCount(pattern);
    if (groups < subgroup) throw new ExtractorConfigError(`group ${subgroup} requested for regex with only ${groups} sub groups`);
    const full = mode === 'EXTRACT' ? new RegExp(`^(?:${pattern})$`) : search;
    const header = e.body !== undefined && e.header === undefined ? null : (e.header ?? '').toLowerCase();
    return new CompiledExtractor(name, header, mode, subgroup, full, search, e.replacementText ?? '');
  }

  /** The extractor's value for `input` (the first value of the header, or the body text). */
  run(input: string): string {
    switch (this.mode) {
      case 'EXTRACT': {
        const m = this.full.exec(input);
        return m === null ? '' : (m[this.subgroup] ?? '');
      }
      case 'SINGLE_REPLACE':
        return this.replaceOne(input);
      case 'REPLACE_ALL':
        return this.replaceAll(input);
    }
  }

  private replaceOne(input: string): string {
    const m = this.search.exec(input);
    if (m === null || m.index !== 0 || m[0].length !== input.length) return input;
    // A group that did not participate sits at the end of the input (std::sub_match's rule).
    const span = m.indices?.[this.subgroup];
    const start = span?.[0] ?? input.length;
    const end = span?.[1] ?? input.length;
    return input.slice(0, start) + this.replacement + input.slice(end);
  }

  private replaceAll(input: string): string {
    const re = this.search;
    re.lastIndex = 0;
    let out = '';
    let last = 0;
    for (;;) {
      const m = re.exec(input);
      if (m === null) break;
      if (m[0].length === 0) {
        re.lastIndex = m.index + 1;
        if (re.lastIndex > input.length) break;
        continue;
      }
      out += input.slice(last, m.index) + expandReplacement(this.replacement, m, input);
      last = m.index + m[0].length;
    }
    re.lastIndex = 0;
    return last === 0 && out === '' ? input : out + input.slice(last);
  }
}

/** `EXTRACT` (default) / `SINGLE_REPLACE` / `REPLACE_ALL`, by name or number; null when unknown. */
export function extractionMode(m: ExtractionMode | number | undefined): ExtractionMode | null {
  if (m === undefined || m === 'EXTRACT' || m === 0) return 'EXTRACT';
  if (m === 'SINGLE_REPLACE' || m === 1) return 'SINGLE_REPLACE';
  if (m === 'REPLACE_ALL' || m === 2) return 'REPLACE_ALL';
  return null;
}

/**
 * Compiles an ECMAScript regex as std::regex would accept it: JavaScript-only syntax (lookbehind,
 * named groups and their backreferences) is refused. Throws ExtractorConfigError with envoy-gloo's
 * `Invalid regex '<pattern>': <reason>`.
 */
export function compileEcmaRegex(pattern: string, flags = ''): RegExp {
  const jsOnly = /\(\?<[=!]|\(\?<[A-Za-z_$]|\\k<|\(\?[a-z-]+[:)]/.exec(pattern);
  if (jsOnly !== null && !escapedAt(pattern, jsOnly.index)) {
    throw new ExtractorConfigError(`Invalid regex '${pattern}': '${jsOnly[0]}' is not ECMAScript std::regex syntax`);
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    const reason = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new ExtractorConfigError(`Invalid regex '${pattern}': ${reason}`);
  }
}

/** True when the character at `i` is escaped by an odd run of backslashes before it. */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s.charCodeAt(j) === 92; j--) n++;
  return n % 2 === 1;
}

/** How many capturing groups `pattern` has (std::regex's `mark_count()`). */
function groupCount(pattern: string): number {
  return new RegExp(`${pattern}|`).exec('')!.length - 1;
}

/** ECMAScript's GetSubstitution: `$$`, `$&`, `` $` ``, `$'`, `$n`, `$nn`. */
function expandReplacement(fmt: string, m: RegExpExecArray, input: string): string {
  if (fmt.indexOf('$') === -1) return fmt;
  let out = '';
  const groups = m.length - 1;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '$' || i + 1 === fmt.length) {
      out += c;
      continue;
    }
    const n = fmt[i + 1]!;
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '&') {
      out += m[0];
      i++;
    } else if (n === '`') {
      out += input.slice(0, m.index);
      i++;
    } else if (n === "'") {
      out += input.slice(m.index + m[0].length);
      i++;
    } else if (n >= '0' && n <= '9') {
      const two = i + 2 < fmt.length && fmt[i + 2]! >= '0' && fmt[i + 2]! <= '9' ? Number(fmt.slice(i + 1, i + 3)) : -1;
      if (two >= 1 && two <= groups) {
        out += m[two] ?? '';
        i += 2;
      } else if (Number(n) >= 1 && Number(n) <= groups) {
        out += m[Number(n)] ?? '';
        i++;
      } else out += c;
    } else out += c;
  }
  return out;
}
