import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteMatch } from '../../../src/xds/envoy-types.js';
import { CompiledRouteMatch } from '../../../src/proxy/router/route-match.js';
import type { RequestView } from '../../../src/proxy/router/request-view.js';
import { queryParam } from '../../../src/proxy/router/query-matcher.js';

function req(url: string, headers: Record<string, string> = {}, method = 'GET'): RequestView {
  return { method, url, headers: { host: 'example.com', ...headers } };
}

function matches(m: RouteMatch, r: RequestView): boolean {
  const url = r.url!;
  const q = url.indexOf('?');
  return new CompiledRouteMatch(m).matches(r, url, q === -1 ? url : url.slice(0, q), q);
}

describe('route matching', () => {
  it('prefix is a plain string prefix', () => {
    assert.ok(matches({ prefix: '/api' }, req('/api')));
    assert.ok(matches({ prefix: '/api' }, req('/apix/y')));
    assert.ok(matches({ prefix: '' }, req('/anything')));
    assert.ok(!matches({ prefix: '/api' }, req('/API')));
    assert.ok(!matches({ prefix: '/api/' }, req('/api')));
  });

  it('path is an exact match that ignores the query', () => {
    assert.ok(matches({ path: '/exact' }, req('/exact')));
    assert.ok(matches({ path: '/exact' }, req('/exact?x=1')));
    assert.ok(!matches({ path: '/exact' }, req('/exact/')));
    assert.ok(!matches({ path: '/exact' }, req('/exac')));
  });

  it('safe_regex is a full match of the path without the query', () => {
    const m: RouteMatch = { safe_regex: { google_re2: {}, regex: '/users/[0-9]+' } };
    assert.ok(matches(m, req('/users/42')));
    assert.ok(matches(m, req('/users/42?expand=true')));
    assert.ok(!matches(m, req('/users/42/posts')));
    assert.ok(!matches(m, req('/v1/users/42')));
    assert.ok(!matches({ safe_regex: { regex: '/a.*' } }, req('/b?/a')));
  });

  it('case_sensitive false makes prefix, path and regex case-insensitive', () => {
    const off = { case_sensitive: { value: false } };
    assert.ok(matches({ prefix: '/Api', ...off }, req('/aPI/x')));
    assert.ok(matches({ path: '/Exact', ...off }, req('/EXACT?q')));
    assert.ok(matches({ safe_regex: { regex: '/users/[a-z]+' }, ...off }, req('/USERS/BOB')));
    assert.ok(!matches({ path: '/Exact' }, req('/exact')));
  });

  it('header matchers: exact, regex, present, string_match, invert, pseudo headers', () => {
    const r = req('/x?y=1', { 'x-env': 'Prod', 'x-id': 'abc123' }, 'POST');
    assert.ok(matches({ prefix: '/', headers: [{ name: 'X-Env', exact_match: 'Prod' }] }, r));
    assert.ok(!matches({ prefix: '/', headers: [{ name: 'x-env', exact_match: 'prod' }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id', safe_regex_match: { regex: '[a-z]+[0-9]+' } }] }, r));
    assert.ok(!matches({ prefix: '/', headers: [{ name: 'x-id', safe_regex_match: { regex: '[a-z]+' } }] }, r)); // full match
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id', present_match: true }] }, r));
    assert.ok(!matches({ prefix: '/', headers: [{ name: 'x-none', present_match: true }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-none', present_match: false }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id' }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-env', string_match: { exact: 'prod', ignore_case: true } }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id', string_match: { prefix: 'ab' } }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id', string_match: { suffix: '123' } }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id', string_match: { contains: 'c1' } }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-id', string_match: { safe_regex: { regex: 'abc\\d+' } } }] }, r));
    assert.ok(!matches({ prefix: '/', headers: [{ name: 'x-env', exact_match: 'Prod', invert_match: true }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-env', exact_match: 'Dev', invert_match: true }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: 'x-absent', exact_match: 'v', invert_match: true }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: ':method', exact_match: 'POST' }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: ':authority', exact_match: 'example.com' }] }, r));
    assert.ok(matches({ prefix: '/', headers: [{ name: ':path', exact_match: '/x?y=1' }] }, r));
  });

  it('query parameter matchers', () => {
    const r = req('/search?q=hello%20world&debug&page=2');
    assert.ok(matches({ prefix: '/', query_parameters: [{ name: 'q', string_match: { exact: 'hello world' } }] }, r));
    assert.ok(matches({ prefix: '/', query_parameters: [{ name: 'debug', present_match: true }] }, r));
    assert.ok(matches({ prefix: '/', query_parameters: [{ name: 'page', string_match: { safe_regex: { regex: '[0-9]+' } } }] }, r));
    assert.ok(!matches({ prefix: '/', query_parameters: [{ name: 'missing', present_match: true }] }, r));
    assert.ok(!matches({ prefix: '/', query_parameters: [{ name: 'q', string_match: { exact: 'hello' } }] }, r));
    assert.ok(!matches({ prefix: '/', query_parameters: [{ name: 'pag', present_match: true }] }, r));
    assert.equal(queryParam('a=1&b=2&a=3', 'a'), '1');
    assert.equal(queryParam('x', 'x'), '');
    assert.equal(queryParam('', 'x'), undefined);
    assert.equal(queryParam('v=%E0%A4%A', 'v'), '%E0%A4%A');
  });

  it('ANDs all criteria', () => {
    const m: RouteMatch = {
      prefix: '/api',
      headers: [{ name: 'x-a', exact_match: '1' }],
      query_parameters: [{ name: 'b', present_match: true }],
    };
    assert.ok(matches(m, req('/api?b', { 'x-a': '1' })));
    assert.ok(!matches(m, req('/api', { 'x-a': '1' })));
    assert.ok(!matches(m, req('/api?b', { 'x-a': '2' })));
    assert.ok(!matches(m, req('/other?b', { 'x-a': '1' })));
  });

  it('rejects invalid regexes and missing path specifiers at compile time', () => {
    assert.throws(() => new CompiledRouteMatch({ safe_regex: { regex: '(' } }));
    assert.throws(() => new CompiledRouteMatch({}));
  });
});
