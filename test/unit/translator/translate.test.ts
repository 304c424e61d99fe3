import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/api/resource.js';
import { emptySnapshot } from '../../../src/config/snapshot.js';
import { translate, nodeKey } from '../../../src/translator/translate.js';
import { translateGateways, proxyNameOf } from '../../../src/translator/gateway/translate-gateways.js';
import { defaultGateways } from '../../../src/translator/gateway/default-gateways.js';
import { unsupportedFieldMessage } from '../../../src/translator/unsupported-fields.js';
import { regexError } from '../../../src/translator/gateway/validate-route.js';
import { GATEWAY, snapshotOf, vsYaml } from './helpers.js';

test('an empty snapshot translates to nothing', () => {
  const out = translate(emptySnapshot());
  assert.deepEqual(out.proxies, []);
  assert.equal(out.xds.size, 0);
});

test('a malformed resource becomes an error on that resource, never an exception', () => {
  const snapshot = snapshotOf([GATEWAY, vsYaml('ok', 'ok.example.com', 'fine')].join('---\n'));
  const bad = {
    kind: 'VirtualService',
    apiVersion: 'gateway.solo.io/v1',
    metadata: { name: 'bad', namespace: 'default' },
    spec: { virtualHost: { domains: ['bad.example.com'], routes: 42 } },
    unsupported: [],
  } as unknown as Resource<'VirtualService'>;
  snapshot.virtualServices.push(bad);
  const out = translate(snapshot);
  assert.match(out.reports.get(bad)!.errors[0]!, /^internal error while translating/);
  const vhosts = out.xds.get('gloo-system~gateway-proxy')!.routes[0]!.virtual_hosts.map((v) => v.name);
  assert.deepEqual(vhosts, ['default_ok']);
});

test('node keys are <writeNamespace>~<proxyName>; gateways are read from the write namespace only', () => {
  const snapshot = snapshotOf(vsYaml('a', 'a.example.com', 'x'));
  snapshot.gateways = [...defaultGateways('my-ns'), ...defaultGateways('gloo-system')];
  const out = translate(snapshot, { writeNamespace: 'my-ns' });
  assert.deepEqual([...out.xds.keys()], [nodeKey('my-ns', 'gateway-proxy')]);
  assert.equal(out.proxies[0]!.metadata.namespace, 'my-ns');
});

test('several gateways to one proxy name merge into one Proxy', () => {
  const snapshot = snapshotOf(vsYaml('a', 'a.example.com', 'x'));
  const gws = defaultGateways('gloo-system');
  gws[1]!.spec = { ...gws[1]!.spec, ssl: false, bindPort: 8081 };
  snapshot.gateways = gws;
  const { proxies } = translateGateways(snapshot, { writeNamespace: 'gloo-system' });
  assert.equal(proxies.length, 1);
  assert.deepEqual(proxies[0]!.spec.listeners?.map((l) => l.name), ['listener-::-8080', 'listener-::-8081']);
});

test('proxy names are kebab-cased', () => {
  assert.equal(proxyNameOf('gatewayProxy'), 'gateway-proxy');
  assert.equal(proxyNameOf('gateway-proxy'), 'gateway-proxy');
  assert.equal(proxyNameOf('publicGatewayV2'), 'public-gateway-v2');
});

test('unsupported field messages name the field', () => {
  assert.equal(
    unsupportedFieldMessage({ path: 'spec.virtualHost.options.cors', level: 'no', note: 'cors is not implemented yet' }),
    'field spec.virtualHost.options.cors is not supported yet and is ignored: cors is not implemented yet',
  );
  assert.equal(
    unsupportedFieldMessage({ path: 'spec.static', level: 'partial', note: 'no TLS' }),
    'field spec.static is only partly supported: no TLS',
  );
  assert.equal(unsupportedFieldMessage({ path: 'spec.x', level: 'no' }), 'field spec.x is not supported yet and is ignored');
});

test('regexes are checked as RE2, not JavaScript', () => {
  assert.equal(regexError('/items/[0-9]+'), null);
  assert.match(regexError('a(?=b)')!, /^error parsing regexp: /); // valid in JS, not in RE2
  assert.match(regexError('(a')!, /missing \)/);
});
