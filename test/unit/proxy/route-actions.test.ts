import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route, RouteAction } from '../../../src/xds/envoy-types.js';
import { CompiledRoute, RouteKind } from '../../../src/proxy/router/compiled-route.js';
import { DEFAULT_ROUTE_TIMEOUT_MS, ForwardAction, pickWeighted } from '../../../src/proxy/router/forward-action.js';
import { CompiledRouteMatch } from '../../../src/proxy/router/route-match.js';
import { toJsReplacement } from '../../../src/proxy/router/regex.js';
import { compileRouteConfiguration } from '../../../src/proxy/router/route-table.js';
import type { RequestView } from '../../../src/proxy/router/request-view.js';
import { fakeClusters, memoryLogger } from './fakes.js';
import { routeConfig, vhost } from './snapshot-builders.js';

const clusters = fakeClusters('a', 'b', 'c');

function rewrite(match: Route['match'], action: RouteAction, url: string): string {
  const fa = new ForwardAction(action, new CompiledRouteMatch(match), clusters);
  const q = url.indexOf('?');
  return fa.rewritePath(url, q === -1 ? url : url.slice(0, q), q);
}

function req(url: string, headers: Record<string, string> = {}): RequestView {
  return { method: 'GET', url, headers: { host: 'example.com', ...headers } };
}

describe('route actions', () => {
  it('prefix_rewrite replaces the matched prefix and keeps the query', () => {
    assert.equal(rewrite({ prefix: '/api/' }, { cluster: 'a', prefix_rewrite: '/v2/' }, '/api/users?x=1'), '/v2/users?x=1');
    assert.equal(rewrite({ prefix: '/api' }, { cluster: 'a', prefix_rewrite: '/' }, '/api/users'), '//users');
    assert.equal(rewrite({ prefix: '/API', case_sensitive: { value: false } }, { cluster: 'a', prefix_rewrite: '/x' }, '/api/y'), '/x/y');
  });

  it('prefix_rewrite replaces the whole path for path and regex matches', () => {
    assert.equal(rewrite({ path: '/old' }, { cluster: 'a', prefix_rewrite: '/new' }, '/old?q=1'), '/new?q=1');
    assert.equal(rewrite({ safe_regex: { regex: '/o.*' } }, { cluster: 'a', prefix_rewrite: '/new' }, '/old/deep'), '/new');
  });

  it('regex_rewrite substitutes every match in the path with \\N groups, keeping the query', () => {
    const a: RouteAction = { cluster: 'a', regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' } };
    assert.equal(rewrite({ prefix: '/' }, a, '/service/foo/v1/api?x=1'), '/v1/api/instance/foo?x=1');
    const all: RouteAction = { cluster: 'a', regex_rewrite: { pattern: { regex: 'o' }, substitution: '0' } };
    assert.equal(rewrite({ prefix: '/' }, all, '/foo/boo?o=o'), '/f00/b00?o=o');
    assert.equal(toJsReplacement('a$b\\1\\\\'), 'a$$b$1\\');
  });

  it('leaves the path alone without a rewrite', () => {
    const fa = new ForwardAction({ cluster: 'a' }, new CompiledRouteMatch({ prefix: '/' }), clusters);
    assert.equal(fa.rewritesPath, false);
  });

  it('timeout defaults to 15 s; 0 disables it', () => {
    const m = new CompiledRouteMatch({ prefix: '/' });
    assert.equal(new ForwardAction({ cluster: 'a' }, m, clusters).timeoutMs, DEFAULT_ROUTE_TIMEOUT_MS);
    assert.equal(new ForwardAction({ cluster: 'a', timeout: { seconds: '0' } }, m, clusters).timeoutMs, 0);
    assert.equal(new ForwardAction({ cluster: 'a', timeout: { seconds: '2', nanos: 500_000_000 } }, m, clusters).timeoutMs, 2500);
  });

  it('resolves clusters: fixed, missing (null), by header (undefined when absent)', () => {
    const m = new CompiledRouteMatch({ prefix: '/' });
    assert.equal(new ForwardAction({ cluster: 'a' }, m, clusters).selectCluster(req('/'))?.name, 'a');
    const missing = new ForwardAction({ cluster: 'nope', cluster_not_found_response_code: 'NOT_FOUND' }, m, clusters);
    assert.equal(missing.selectCluster(req('/')), null);
    assert.equal(missing.notFoundStatus, 404);
    assert.equal(new ForwardAction({ cluster: 'nope' }, m, clusters).notFoundStatus, 503);
    const byHeader = new ForwardAction({ cluster_header: 'X-Cluster' }, m, clusters);
    assert.equal(byHeader.selectCluster(req('/', { 'x-cluster': 'b' }))?.name, 'b');
    assert.equal(byHeader.selectCluster(req('/', { 'x-cluster': 'zzz' })), null);
    assert.equal(byHeader.selectCluster(req('/')), undefined);
  });

  it('splits weighted clusters in proportion to their weights', () => {
    assert.equal(pickWeighted([1, 3], 3, 0), 0);
    assert.equal(pickWeighted([1, 3], 3, 0.34), 1);
    assert.equal(pickWeighted([1, 3], 3, 0.9999), 1);
    const fa = new ForwardAction(
      {
        weighted_clusters: {
          clusters: [
            { name: 'a', weight: { value: 10 } },
            { name: 'b', weight: { value: 30 } },
            { name: 'c', weight: { value: 60 } },
            { name: 'zero', weight: { value: 0 } },
          ],
        },
      },
      new CompiledRouteMatch({ prefix: '/' }),
      clusters,
    );
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[fa.selectCluster(req('/'))!.name]!++;
    assert.ok(counts['a']! > n * 0.07 && counts['a']! < n * 0.13, `a: ${counts['a']}`);
    assert.ok(counts['b']! > n * 0.25 && counts['b']! < n * 0.35, `b: ${counts['b']}`);
    assert.ok(counts['c']! > n * 0.55 && counts['c']! < n * 0.65, `c: ${counts['c']}`);
  });

  it('compiles direct responses and rejects routes without an action', () => {
    const vh = vhost('v', ['*'], []);
    const d = new CompiledRoute({ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'héllo' } } }, vh, clusters);
    assert.equal(d.kind, RouteKind.Direct);
    assert.deepEqual(d.direct!.headers, ['content-length', '6', 'content-type', 'text/plain']);
    assert.throws(() => new CompiledRoute({ match: { prefix: '/' } }, vh, clusters));
    assert.throws(() => new CompiledRoute({ match: { prefix: '/' }, direct_response: { status: 99 } }, vh, clusters));
  });
});

describe('route table', () => {
  it('takes the first matching route', () => {
    const t = compileRouteConfiguration(
      routeConfig('rc', [
        vhost('v', ['*'], [
          { name: 'exact', match: { path: '/a' }, route: { cluster: 'a' } },
          { name: 'prefix', match: { prefix: '/a' }, route: { cluster: 'b' } },
          { name: 'all', match: { prefix: '/' }, route: { cluster: 'c' } },
        ]),
      ]),
      clusters,
      memoryLogger(),
    );
    const v = t.selectVirtualHost('x')!;
    const find = (url: string): string | undefined => v.findRoute(req(url), url, url.split('?')[0]!, url.indexOf('?'))?.name;
    assert.equal(find('/a'), 'exact');
    assert.equal(find('/a?x'), 'exact');
    assert.equal(find('/ab'), 'prefix');
    assert.equal(find('/b'), 'all');
  });

  it('skips a route that does not compile, logs it, and keeps the others', () => {
    const log = memoryLogger();
    const t = compileRouteConfiguration(
      routeConfig('rc', [
        vhost('v', ['*'], [
          { name: 'bad', match: { safe_regex: { regex: '([' } }, route: { cluster: 'a' } },
          { name: 'good', match: { prefix: '/' }, route: { cluster: 'b' } },
        ]),
      ]),
      clusters,
      log,
    );
    assert.equal(t.selectVirtualHost('x')!.routes.length, 1);
    const w = log.entries.find((e) => e.level === 'warn');
    assert.equal(w?.fields?.['route'], 'bad');
    assert.equal(w?.fields?.['routeConfig'], 'rc');
  });
});
