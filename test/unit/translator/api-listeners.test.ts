/**
 * The proxyless gRPC listeners (src/translator/gloo/api-listeners.ts): which domains get one, and
 * what their RouteConfiguration carries. The golden case proxyless-grpc shows the whole output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiListenerName, translateApiListeners } from '../../../src/translator/gloo/api-listeners.js';
import type { Listener, RouteConfiguration } from '../../../src/xds/envoy-types.js';

test('a domain names its api_listener without its port; wildcards name none', () => {
  assert.equal(apiListenerName('echo.test'), 'echo.test');
  assert.equal(apiListenerName('echo.test:8080'), 'echo.test');
  assert.equal(apiListenerName('10.0.0.1:443'), '10.0.0.1');
  assert.equal(apiListenerName('[::1]:8080'), '[::1]');
  assert.equal(apiListenerName('fd00::1'), 'fd00::1');
  for (const d of ['*', '*.example.com', 'api.*', '']) assert.equal(apiListenerName(d), undefined, d);
});

test('per-filter configs of filters outside the router-only chain are left out; the rest is shared as is', () => {
  const cfg = { '@type': 'type.googleapis.com/xds.type.v3.TypedStruct' };
  const rc: RouteConfiguration = {
    name: 'listener-::-8080-routes',
    virtual_hosts: [
      {
        name: 'ns_vs',
        domains: ['grpc.test:8080', '*.grpc.test'],
        typed_per_filter_config: { 'envoy.filters.http.cors': cfg },
        routes: [
          {
            match: { prefix: '/a.A/' },
            typed_per_filter_config: { 'io.solo.transformation': cfg },
            route: { weighted_clusters: { clusters: [{ name: 'c_ns', weight: { value: 1 }, typed_per_filter_config: { 'envoy.filters.http.ext_authz': cfg } }] } },
          },
          { match: { prefix: '/' }, route: { cluster: 'c_ns', timeout: { seconds: '1' } } },
        ],
      },
    ],
  };
  const before = structuredClone(rc);
  const out = translateApiListeners([{ name: 'listener-::-8080', address: {}, filter_chains: [] } as Listener], [rc]);
  assert.deepEqual(rc, before, 'the socket listener route configuration is untouched');
  assert.deepEqual(out.listeners.map((l) => l.name), ['grpc.test']);
  const hcm = out.listeners[0]!.api_listener!.api_listener;
  assert.equal(hcm.rds?.route_config_name, 'grpc.test');
  assert.deepEqual(hcm.http_filters.map((f) => f.name), ['envoy.filters.http.router']);
  assert.equal(out.listeners[0]!.address, undefined);
  assert.deepEqual(out.routes, [
    {
      name: 'grpc.test',
      virtual_hosts: [
        {
          name: 'ns_vs',
          domains: ['grpc.test'],
          routes: [
            { match: { prefix: '/a.A/' }, route: { weighted_clusters: { clusters: [{ name: 'c_ns', weight: { value: 1 } }] } } },
            { match: { prefix: '/' }, route: { cluster: 'c_ns', timeout: { seconds: '1' } } },
          ],
        },
      ],
    },
  ]);
  assert.equal(out.routes[0]!.virtual_hosts[0]!.routes[1], rc.virtual_hosts[0]!.routes[1], 'a route without per-filter configs is shared');
});

test('a domain is served once (first listener wins) and never takes a socket listener or route configuration name', () => {
  const vh = (name: string, domains: string[]) => ({ name, domains, routes: [] });
  const routes: RouteConfiguration[] = [
    { name: 'first-routes', virtual_hosts: [vh('one', ['a.test', 'listener-x', 'second-routes'])] },
    { name: 'second-routes', virtual_hosts: [vh('two', ['a.test:81', 'b.test'])] },
  ];
  const out = translateApiListeners([{ name: 'listener-x', address: {}, filter_chains: [] } as Listener], routes);
  assert.deepEqual(out.listeners.map((l) => l.name), ['a.test', 'b.test']);
  assert.deepEqual(out.routes.map((r) => `${r.name}:${r.virtual_hosts[0]!.name}`), ['a.test:one', 'b.test:two']);
});
