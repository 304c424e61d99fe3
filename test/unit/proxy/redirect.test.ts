import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RedirectAction, RouteMatch } from '../../../src/xds/envoy-types.js';
import { CompiledRedirect } from '../../../src/proxy/router/redirect.js';
import { CompiledRouteMatch } from '../../../src/proxy/router/route-match.js';

function location(r: RedirectAction, url: string, host = 'example.com', match: RouteMatch = { prefix: '/' }, xfp?: string): string {
  const q = url.indexOf('?');
  const headers: Record<string, string> = { host };
  if (xfp) headers['x-forwarded-proto'] = xfp;
  return new CompiledRedirect(r, new CompiledRouteMatch(match)).location({ url, headers }, url, q === -1 ? url : url.slice(0, q), q);
}

describe('redirect URL building', () => {
  it('https_redirect keeps host, path and query, and drops :80', () => {
    assert.equal(location({ https_redirect: true }, '/a?b=1'), 'https://example.com/a?b=1');
    assert.equal(location({ https_redirect: true }, '/a', 'example.com:80'), 'https://example.com/a');
    assert.equal(location({ https_redirect: true }, '/a', 'example.com:8080'), 'https://example.com:8080/a');
    assert.equal(location({ scheme_redirect: 'http' }, '/a', 'example.com:443', { prefix: '/' }, 'https'), 'http://example.com/a');
  });

  it('host_redirect, port_redirect', () => {
    assert.equal(location({ host_redirect: 'new.example.com' }, '/a?q'), 'http://new.example.com/a?q');
    assert.equal(location({ port_redirect: 8443 }, '/a', 'example.com:8080'), 'http://example.com:8443/a');
    assert.equal(location({ host_redirect: 'h', port_redirect: 9 }, '/'), 'http://h:9/');
  });

  it('uses the request scheme from x-forwarded-proto', () => {
    assert.equal(location({ host_redirect: 'h' }, '/x', 'example.com', { prefix: '/' }, 'https'), 'https://h/x');
  });

  it('path_redirect replaces the path; its own query wins; strip_query drops the query', () => {
    assert.equal(location({ path_redirect: '/new' }, '/old?x=1'), 'http://example.com/new?x=1');
    assert.equal(location({ path_redirect: '/new?y=2' }, '/old?x=1'), 'http://example.com/new?y=2');
    assert.equal(location({ path_redirect: '/new', strip_query: true }, '/old?x=1'), 'http://example.com/new');
    assert.equal(location({ strip_query: true }, '/old?x=1'), 'http://example.com/old');
  });

  it('prefix_rewrite replaces the matched prefix (or the whole path for a path match)', () => {
    assert.equal(location({ prefix_rewrite: '/v2/' }, '/v1/users?id=3', 'example.com', { prefix: '/v1/' }), 'http://example.com/v2/users?id=3');
    assert.equal(location({ prefix_rewrite: '/new' }, '/exact?id=3', 'example.com', { path: '/exact' }), 'http://example.com/new?id=3');
  });

  it('maps response codes, defaulting to 301', () => {
    const m = new CompiledRouteMatch({ prefix: '/' });
    assert.equal(new CompiledRedirect({}, m).status, 301);
    assert.equal(new CompiledRedirect({ response_code: 'FOUND' }, m).status, 302);
    assert.equal(new CompiledRedirect({ response_code: 'SEE_OTHER' }, m).status, 303);
    assert.equal(new CompiledRedirect({ response_code: 'TEMPORARY_REDIRECT' }, m).status, 307);
    assert.equal(new CompiledRedirect({ response_code: 'PERMANENT_REDIRECT' }, m).status, 308);
  });
});
