import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/api/resource.js';
import type { ProxyListener, ProxyVirtualHost } from '../../../src/api/kinds/proxy.js';
import { Reports } from '../../../src/translator/reports.js';
import { reconcileProxy } from '../../../src/translator/gateway/reconcile-proxy.js';
import { sourceMetadata } from '../../../src/translator/source-metadata.js';
import { translate } from '../../../src/translator/translate.js';
import { GATEWAY, snapshotOf, vsYaml } from './helpers.js';

function vs(name: string): Resource<'VirtualService'> {
  return { kind: 'VirtualService', apiVersion: 'gateway.solo.io/v1', metadata: { name, namespace: 'default' }, spec: {}, unsupported: [] };
}
function gw(name: string): Resource<'Gateway'> {
  return { kind: 'Gateway', apiVersion: 'gateway.solo.io/v1', metadata: { name, namespace: 'gloo-system' }, spec: {}, unsupported: [] };
}
function vhost(name: string, body: string): ProxyVirtualHost {
  return {
    name: `default.${name}`,
    domains: [`${name}.example.com`],
    routes: [{ matchers: [{ prefix: '/' }], directResponseAction: { status: 200, body } }],
    metadataStatic: sourceMetadata([vs(name)]),
  };
}
function listener(port: number, gateway: string, vhosts: ProxyVirtualHost[]): ProxyListener {
  return {
    name: `listener-::-${port}`,
    bindAddress: '::',
    bindPort: port,
    httpListener: { virtualHosts: vhosts },
    metadataStatic: sourceMetadata([gw(gateway)]),
  };
}
function proxy(listeners: ProxyListener[]): Resource<'Proxy'> {
  return { kind: 'Proxy', apiVersion: 'gloo.solo.io/v1', metadata: { name: 'gateway-proxy', namespace: 'gloo-system' }, spec: { listeners }, unsupported: [] };
}
function bodies(p: Resource<'Proxy'>): string[] {
  return (p.spec.listeners ?? []).flatMap((l) =>
    (l.httpListener?.virtualHosts ?? []).map((vh) => `${l.name} ${vh.name} ${vh.routes?.[0]?.directResponseAction?.body}`),
  );
}

test('an errored VirtualService keeps the previous version of its virtual host', () => {
  const previous = proxy([listener(8080, 'gw', [vhost('a', 'a-old'), vhost('b', 'b-old')])]);
  const next = proxy([listener(8080, 'gw', [vhost('a', 'a-new'), vhost('b', 'b-new')])]);
  const reports = new Reports();
  reports.addError(vs('a'), 'broken');
  assert.deepEqual(bodies(reconcileProxy(next, previous, reports)), [
    'listener-::-8080 default.a a-old',
    'listener-::-8080 default.b b-new',
  ]);
});

test('an errored VirtualService with no previous version is dropped, and an empty listener with it', () => {
  const next = proxy([listener(8080, 'gw', [vhost('a', 'a-new')]), listener(8081, 'gw2', [vhost('b', 'b-new')])]);
  const reports = new Reports();
  reports.addError(vs('a'), 'broken');
  const out = reconcileProxy(next, undefined, reports);
  assert.deepEqual(bodies(out), ['listener-::-8081 default.b b-new']);
  assert.deepEqual(out.spec.listeners?.map((l) => l.name), ['listener-::-8081']);
});

test('warnings withhold nothing', () => {
  const previous = proxy([listener(8080, 'gw', [vhost('a', 'a-old')])]);
  const next = proxy([listener(8080, 'gw', [vhost('a', 'a-new')])]);
  const reports = new Reports();
  reports.addWarning(vs('a'), 'route to a missing upstream');
  reports.addWarning(gw('gw'), 'something');
  assert.deepEqual(bodies(reconcileProxy(next, previous, reports)), ['listener-::-8080 default.a a-new']);
});

test('a listener whose Gateway has errors keeps its previous version; a deleted one goes', () => {
  const previous = proxy([listener(8080, 'gw', [vhost('a', 'a-old')]), listener(9000, 'deleted', [vhost('c', 'c-old')])]);
  const next = proxy([]);
  const reports = new Reports();
  reports.addError(gw('gw'), 'invalid gateway: gateway must contain gatewayType');
  assert.deepEqual(bodies(reconcileProxy(next, previous, reports)), ['listener-::-8080 default.a a-old']);
});

test('end to end: a VS made invalid keeps serving its last accepted version, others update, fixing it recovers', () => {
  const good = snapshotOf([GATEWAY, vsYaml('a', 'a.example.com', 'a1'), vsYaml('b', 'b.example.com', 'b1')].join('---\n'));
  const first = translate(good);
  const previousProxies = new Map(first.proxies.map((p) => [p.metadata.name, p]));

  const broken = snapshotOf([GATEWAY, vsYaml('a', 'a.example.com', 'a2', '/(bad'), vsYaml('b', 'b.example.com', 'b2')].join('---\n'));
  const second = translate(broken, { previousProxies });
  assert.equal(second.reports.get(broken.virtualServices[0]!)?.errors.length, 1);
  assert.deepEqual(bodies(second.proxies[0]!), ['listener-::-8080 default.a a1', 'listener-::-8080 default.b b2']);
  const routes = second.xds.get('gloo-system~gateway-proxy')!.routes[0]!.virtual_hosts.map((vh) => vh.routes[0]!.direct_response!.body!.inline_string);
  assert.deepEqual(routes, ['a1', 'b2']);

  const fixed = snapshotOf([GATEWAY, vsYaml('a', 'a.example.com', 'a3'), vsYaml('b', 'b.example.com', 'b3')].join('---\n'));
  const third = translate(fixed, { previousProxies: new Map(second.proxies.map((p) => [p.metadata.name, p])) });
  assert.deepEqual(bodies(third.proxies[0]!), ['listener-::-8080 default.a a3', 'listener-::-8080 default.b b3']);
  assert.equal(third.reports.hasErrors(fixed.virtualServices[0]!), false);
});

test('end to end: a Gateway that loses its type keeps its previous listener', () => {
  const first = translate(snapshotOf([GATEWAY, vsYaml('a', 'a.example.com', 'a1')].join('---\n')));
  const typeless = GATEWAY.replace(', httpGateway: {}', '');
  const second = translate(snapshotOf([typeless, vsYaml('a', 'a.example.com', 'a2')].join('---\n')), {
    previousProxies: new Map(first.proxies.map((p) => [p.metadata.name, p])),
  });
  assert.deepEqual(bodies(second.proxies[0]!), ['listener-::-8080 default.a a1']);
  // One socket listener (api_listener Listeners for proxyless gRPC come on top).
  assert.equal(second.xds.get('gloo-system~gateway-proxy')!.listeners.filter((l) => !l.api_listener).length, 1);
});
