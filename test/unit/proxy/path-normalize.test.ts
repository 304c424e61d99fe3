import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePath, normalizeUrl, removeDotSegments } from '../../../src/proxy/router/path-normalize.js';

describe('path normalisation (Envoy normalize_path / merge_slashes)', () => {
  it('leaves normal paths alone (fast path: null)', () => {
    for (const p of ['/', '/a', '/a/b/c', '/a.b/c.d', '/a/b.', '/a//b', '*', 'http://x/a/../b']) assert.equal(normalizePath(p), null, p);
  });

  // Envoy's PathUtil::canonicalPath examples and RFC 3986 §5.2.4.
  const table: [string, string][] = [
    ['/public/../admin', '/admin'],
    ['/public/%2e%2e/admin', '/admin'],
    ['/public/%2E%2E/admin', '/admin'],
    ['/public/.%2e/admin', '/admin'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/..', '/'],
    ['/../../a', '/a'],
    ['/a/b/c/./../../g', '/a/g'],
    ['/mid/content=5/../6', '/mid/6'],
    ['/%7Euser/%41%62', '/~user/Ab'],
    ['/a%2fb', '/a%2Fb'],
    ['/a%3a', '/a%3A'],
    ['/a/%zz', '/a/%zz'],
    ['/.hidden', '/.hidden'],
  ];
  for (const [input, want] of table) {
    it(`${input} → ${want}`, () => {
      const got = normalizePath(input);
      assert.equal(got ?? input, want);
    });
  }

  it('merges slashes only when asked', () => {
    assert.equal(normalizePath('/a//b///c'), null);
    assert.equal(normalizePath('/a//b///c', true), '/a/b/c');
    assert.equal(normalizePath('//a/../b', true), '/b');
  });

  it('normalises the path of a URL and keeps the query untouched', () => {
    assert.equal(normalizeUrl('/a/../b?x=/../y&z=%2e'), '/b?x=/../y&z=%2e');
    assert.equal(normalizeUrl('/a/b?x=1'), null);
  });

  it('removeDotSegments on already-decoded paths', () => {
    assert.equal(removeDotSegments('/a/b/../../..'), '/');
    assert.equal(removeDotSegments('/a/./'), '/a/');
  });
});
