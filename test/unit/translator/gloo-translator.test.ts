import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/api/resource.js';
import { orderHttpFilters, HTTP_FILTER_STAGES } from '../../../src/translator/gloo/filter-stages.js';
import { PluginRegistry, defaultPlugins } from '../../../src/translator/gloo/registry.js';
import type { Plugin } from '../../../src/translator/gloo/plugin.js';
import { translateProxy } from '../../../src/translator/gloo/translate-proxy.js';
import { emptySnapshot } from '../../../src/config/snapshot.js';

test('http filters run in stage order, stable within a stage, router last', () => {
  const f = (name: string) => ({ name });
  const order = orderHttpFilters([
    { stage: 'ratelimit', filter: f('rl') },
    { stage: 'fault', filter: f('fault') },
    { stage: 'authn', filter: f('extauth') },
    { stage: 'cors', filter: f('cors') },
    { stage: 'authn', filter: f('jwt') },
    { stage: 'route', filter: f('buffer') },
  ]).map((x) => x.name);
  assert.deepEqual(order, ['fault', 'cors', 'extauth', 'jwt', 'rl', 'buffer', 'envoy.filters.http.router']);
  for (const s of HTTP_FILTER_STAGES) assert.ok(s.reason.length > 0, `stage ${s.name} says why`);
});

test('the registry buckets plugins by hook once', () => {
  const registry = new PluginRegistry(defaultPlugins());
  // Upstream type plugins run first, so the others see the endpoints and cluster type.
  assert.equal(registry.upstream[0]!.name, 'static');
  assert.ok(registry.route.some((p) => p.name === 'basic-route'));
  assert.ok(registry.httpFilters.some((p) => p.name === 'grpc-web'));
  for (const p of registry.httpFilters) assert.ok(p.httpFilters, `${p.name} is bucketed for http filters`);
});

test('a plugin http filter lands in the listener, before the router', () => {
  const cors: Plugin = {
    name: 'cors-test',
    httpFilters: () => [{ stage: 'cors', filter: { name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } } }],
  };
  const proxy: Resource<'Proxy'> = {
    kind: 'Proxy',
    apiVersion: 'gloo.solo.io/v1',
    metadata: { name: 'gateway-proxy', namespace: 'gloo-system' },
    spec: { listeners: [{ name: 'listener-0.0.0.0-8080', bindAddress: '0.0.0.0', bindPort: 8080, httpListener: { virtualHosts: [] } }] },
    unsupported: [],
  };
  const out = translateProxy(proxy, emptySnapshot(), new PluginRegistry([...defaultPlugins(), cors]));
  const listener = out.snapshot.listeners[0]!;
  assert.equal(listener.address.socket_address?.ipv4_compat, undefined);
  const hcm = listener.filter_chains[0]!.filters[0]!.typed_config as { http_filters: { name: string }[] };
  // The cors stage runs before grpc_web (on by default, stage authz), the router is last.
  assert.deepEqual(hcm.http_filters.map((f) => f.name), ['envoy.filters.http.cors', 'envoy.filters.http.grpc_web', 'envoy.filters.http.router']);
});

test('a Proxy route without a path specifier is an error on its source, the route is skipped', () => {
  const proxy: Resource<'Proxy'> = {
    kind: 'Proxy',
    apiVersion: 'gloo.solo.io/v1',
    metadata: { name: 'gateway-proxy', namespace: 'gloo-system' },
    spec: {
      listeners: [
        {
          name: 'listener-::-8080',
          bindAddress: '::',
          bindPort: 8080,
          httpListener: {
            virtualHosts: [
              {
                name: 'default.vs',
                domains: ['*'],
                routes: [
                  { matchers: [{ headers: [{ name: 'x' }] }], directResponseAction: { status: 200 } },
                  { matchers: [{ prefix: '/' }], directResponseAction: { status: 204 } },
                ],
                metadataStatic: { sources: [{ resourceRef: { name: 'vs', namespace: 'default' }, resourceKind: '*v1.VirtualService', observedGeneration: '1' }] },
              },
            ],
          },
        },
      ],
    },
    unsupported: [],
  };
  const out = translateProxy(proxy, emptySnapshot());
  const vs = { kind: 'VirtualService', metadata: { name: 'vs', namespace: 'default' } };
  assert.deepEqual(out.reports.get(vs)?.errors, ['no path specifier provided']);
  assert.deepEqual(out.snapshot.routes[0]!.virtual_hosts[0]!.routes.map((r) => r.direct_response?.status), [204]);
});
