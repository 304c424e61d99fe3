/**
 * Extractors (src/transform/extractor.ts): the three modes as envoy-gloo runs them with std::regex
 * (ECMAScript), table-driven, and the configurations Gloo and envoy-gloo refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledExtractor, ExtractorConfigError, type ExtractionConfig } from '../../../../src/transform/extractor.js';

interface Case {
  what: string;
  e: ExtractionConfig;
  input: string;
  want: string;
}

const CASES: Case[] = [
  // EXTRACT: the regex must match the whole input; the result is the subgroup.
  { what: 'query parameter idiom', e: { header: ':path', regex: '(.*foo=([^&]*).*)', subgroup: 2 }, input: '/get?foo=foo-value&bar=x', want: 'foo-value' },
  { what: 'subgroup 0 is the whole match', e: { header: 'x', regex: '[a-z]+' }, input: 'abc', want: 'abc' },
  { what: 'a partial match is no match', e: { header: 'x', regex: '[a-z]+' }, input: 'abc1', want: '' },
  { what: 'no match gives ""', e: { header: 'x', regex: 'id-([0-9]+)', subgroup: 1 }, input: 'nothing', want: '' },
  { what: 'a group that did not participate gives ""', e: { header: 'x', regex: '(a)|(b)', subgroup: 1 }, input: 'b', want: '' },
  { what: 'alternation backtracks to a full match', e: { header: 'x', regex: 'a|ab', subgroup: 0 }, input: 'ab', want: 'ab' },
  { what: '. does not match a newline', e: { body: {}, regex: '(.*)', subgroup: 1 }, input: 'a\nb', want: '' },
  { what: '[\\s\\S] is the multi-line idiom', e: { body: {}, regex: '([\\s\\S]*)', subgroup: 1 }, input: 'a\nb', want: 'a\nb' },
  { what: 'backreferences (std::regex has them, RE2 has not)', e: { header: 'x', regex: '(a+)-\\1', subgroup: 1 }, input: 'aa-aa', want: 'aa' },
  { what: 'lazy quantifiers', e: { header: 'x', regex: '(.*?)(o.*)', subgroup: 1 }, input: 'foo', want: 'f' },
  { what: 'mode by number', e: { header: 'x', regex: '(x)', subgroup: 1, mode: 0 }, input: 'x', want: 'x' },
  // SINGLE_REPLACE: the first match must span the input; the subgroup is replaced.
  { what: 'single replace of a subgroup', e: { header: 'x', regex: '/users/([0-9]+)/orders', subgroup: 1, mode: 'SINGLE_REPLACE', replacementText: 'ID' }, input: '/users/42/orders', want: '/users/ID/orders' },
  { what: 'single replace with subgroup 0 replaces everything', e: { header: 'x', regex: '.*', mode: 'SINGLE_REPLACE', replacementText: 'all' }, input: 'abc', want: 'all' },
  { what: 'single replace leaves a partial match unchanged', e: { header: 'x', regex: 'b', mode: 'SINGLE_REPLACE', replacementText: 'X' }, input: 'abc', want: 'abc' },
  { what: 'single replace: the first match decides (a|ab on "ab" matches "a")', e: { header: 'x', regex: 'a|ab', mode: 'SINGLE_REPLACE', replacementText: 'X' }, input: 'ab', want: 'ab' },
  { what: 'single replace without a match leaves the input', e: { header: 'x', regex: 'z', mode: 'SINGLE_REPLACE', replacementText: 'X' }, input: 'abc', want: 'abc' },
  { what: '$1 is literal in single replace', e: { header: 'x', regex: '(a)(b)', subgroup: 2, mode: 'SINGLE_REPLACE', replacementText: '$1' }, input: 'ab', want: 'a$1' },
  // REPLACE_ALL: every non-empty match, ECMAScript format references.
  { what: 'replace all matches', e: { header: 'x', regex: '[0-9]+', mode: 'REPLACE_ALL', replacementText: '#' }, input: 'a1b22c333', want: 'a#b#c#' },
  { what: 'replace all with group references', e: { header: 'x', regex: '([a-z])([0-9])', mode: 'REPLACE_ALL', replacementText: '$2$1' }, input: 'a1-b2', want: '1a-2b' },
  { what: '$& $$ $` and $\'', e: { header: 'x', regex: 'b', mode: 'REPLACE_ALL', replacementText: "[$&|$$|$`|$']" }, input: 'abc', want: 'a[b|$|a|c]c' },
  { what: 'empty matches are not replaced (match_not_null)', e: { header: 'x', regex: 'x*', mode: 'REPLACE_ALL', replacementText: '-' }, input: 'axxb', want: 'a-b' },
  { what: 'no match: the input unchanged', e: { header: 'x', regex: 'q', mode: 'REPLACE_ALL', replacementText: '-' }, input: 'abc', want: 'abc' },
  { what: 'an empty replacement text is allowed', e: { header: 'x', regex: 'secret', mode: 'REPLACE_ALL', replacementText: '' }, input: 'a secret b secret', want: 'a  b ' },
];

for (const c of CASES) {
  test(`extractor: ${c.what}`, () => {
    const x = CompiledExtractor.compile('name', c.e);
    assert.equal(x.run(c.input), c.want);
    // Running twice gives the same (no regex state left behind).
    assert.equal(x.run(c.input), c.want);
  });
}

test('extractor sources: a lowercase header name, or the body', () => {
  assert.equal(CompiledExtractor.compile('a', { header: 'X-Id', regex: '.*' }).header, 'x-id');
  assert.equal(CompiledExtractor.compile('a', { body: {}, regex: '.*' }).fromBody, true);
});

const REFUSED: [ExtractionConfig, RegExp][] = [
  [{ header: 'x', regex: '(.*)', mode: 'SINGLE_REPLACE' }, /^replacement text must be set for extractor e in mode SINGLE_REPLACE$/],
  [{ header: 'x', regex: '(.*)', mode: 'REPLACE_ALL' }, /^replacement text must be set for extractor e in mode REPLACE_ALL$/],
  [{ header: 'x', regex: '(.*)', replacementText: 'y' }, /^replacement text should not be set for extractor e in mode EXTRACT$/],
  [{ header: 'x', regex: '(.*)', subgroup: 1, mode: 'REPLACE_ALL', replacementText: 'y' }, /^subgroup should not be set for extractor e in mode REPLACE_ALL$/],
  [{ header: 'x', regex: '(a)(b)', subgroup: 3 }, /^group 3 requested for regex with only 2 sub groups$/],
  [{ header: 'x', regex: '(unclosed' }, /^Invalid regex '\(unclosed': /],
  [{ header: 'x', regex: '(?<=a)b' }, /^Invalid regex '\(\?<=a\)b': '\(\?<=' is not ECMAScript std::regex syntax$/],
  [{ header: 'x', regex: '(?<name>a)' }, /is not ECMAScript std::regex syntax/],
  [{ header: 'x', regex: '.*', mode: 7 }, /^unknown extraction mode for extractor e$/],
];

for (const [e, re] of REFUSED) {
  test(`extractor refused: ${JSON.stringify(e)}`, () => {
    assert.throws(() => CompiledExtractor.compile('e', e), (err: Error) => err instanceof ExtractorConfigError && re.test(err.message));
  });
}

test('an escaped "(?<" is a literal, not a lookbehind', () => {
  assert.equal(CompiledExtractor.compile('e', { header: 'x', regex: '\\(\\?<=(a)', subgroup: 1 }).run('(?<=a'), 'a');
});
