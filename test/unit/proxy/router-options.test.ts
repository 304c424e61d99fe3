import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteAction } from '../../../src/xds/envoy-types.js';
import { ForwardAction } from '../../../src/proxy/router/forward-action.js';
import { shadowHost } from '../../../src/proxy/router/mirror.js';
import { CompiledRouteMatch } from '../../../src/proxy/router/route-match.js';
import { compileRouteConfiguration } from '../../../src/proxy/router/route-table.js';
import { fakeClusters, memoryLogger } from './fakes.js';
import { routeConfig, vhost } from './snapshot-builders.js';

const clusters = fakeClusters('a', 'shadow');
const action = (a: Partial<RouteAction>, vhostRetry?: RouteAction['retry_policy']) =>
  new ForwardAction({ cluster: 'a', ...a }, new CompiledRouteMatch({ prefix: '/' }), clusters, vhostRetry);

describe('router options compiled on the forward action', () => {
  it('a plain route stays on the lean forward path', () => {
    const f = action({});
    assert.equal(f.needsRouter, false);
    assert.equal(f.retryPolicy, null);
    assert.equal(f.mirrors, null);
  });

  it("takes the route's retry policy, else the virtual host's", () => {
    assert.equal(action({}, { retry_on: '5xx', num_retries: { value: 3 } }).retryPolicy?.numRetries, 3);
    assert.equal(action({ retry_policy: { retry_on: 'reset' } }, { retry_on: '5xx', num_retries: { value: 3 } }).retryPolicy?.numRetries, 1);
    assert.equal(action({}, { retry_on: '5xx' }).needsRouter, true);
  });

  it('compiles mirror policies with their fraction and the -shadow suffix switch', () => {
    const f = action({
      request_mirror_policies: [
        { cluster: 'shadow' },
        { cluster: 'shadow', runtime_fraction: { default_value: { numerator: 125000, denominator: 'MILLION' } }, disable_shadow_host_suffix_append: true },
        { cluster: 'shadow', runtime_fraction: { default_value: { numerator: 0 } } },
        { cluster: 'missing' },
      ],
    });
    assert.deepEqual(
      f.mirrors!.map((m) => [m.clusterName, m.cluster === null, m.fraction, m.appendShadowSuffix]),
      [
        ['shadow', false, 1, true],
        ['shadow', false, 0.125, false],
        ['missing', true, 1, true],
      ],
    );
  });

  it('rewrites the Host from a header or a path regex, appending x-forwarded-host', () => {
    const byHeader = action({ host_rewrite_header: 'X-Target' });
    const h1: Record<string, string | string[] | undefined> = { host: 'edge' };
    byHeader.rewriteHost(h1, { 'x-target': 'svc.internal' }, 'edge', '/p');
    assert.deepEqual(h1, { host: 'svc.internal' });
    const h1b: Record<string, string | string[] | undefined> = { host: 'edge' };
    byHeader.rewriteHost(h1b, {}, 'edge', '/p');
    assert.deepEqual(h1b, { host: 'edge' }, 'an absent header leaves the Host alone');

    const byRegex = action({
      host_rewrite_path_regex: { pattern: { regex: '^/rewrite/([^/]+)/.*$' }, substitution: '\\1.internal' },
      append_x_forwarded_host: true,
    });
    const h2: Record<string, string | string[] | undefined> = { host: 'edge', 'x-forwarded-host': 'first' };
    byRegex.rewriteHost(h2, {}, 'edge', '/rewrite/billing/x');
    assert.deepEqual(h2, { host: 'billing.internal', 'x-forwarded-host': 'first,edge' });
  });

  it('adds -shadow before the port, as Envoy', () => {
    assert.equal(shadowHost('example.com'), 'example.com-shadow');
    assert.equal(shadowHost('example.com:8080'), 'example.com-shadow:8080');
    assert.equal(shadowHost('[::1]:80'), '[::1]-shadow:80');
    assert.equal(shadowHost('[::1]'), '[::1]-shadow');
  });

  it('matches normalised paths: a prefix route never sees ..', () => {
    const table = compileRouteConfiguration(
      routeConfig('r', [
        vhost('v', ['*'], [
          { match: { prefix: '/admin' }, direct_response: { status: 403 } },
          { match: { prefix: '/public/' }, route: { cluster: 'a' } },
        ]),
      ]),
      clusters,
      memoryLogger([]),
    );
    const find = (url: string) => {
      const q = url.indexOf('?');
      return table.selectVirtualHost('x')!.findRoute({ url, headers: {} }, url, q === -1 ? url : url.slice(0, q), q)?.match;
    };
    const admin = find('/admin');
    assert.equal(find('/public/../admin'), admin);
    assert.equal(find('/public/%2e%2e/admin?x=1'), admin);
    assert.notEqual(find('/public/ok'), admin);
  });
});
