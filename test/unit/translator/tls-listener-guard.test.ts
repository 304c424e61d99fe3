/**
 * A TLS listener the gloo translator emits for Envoy (a catch-all chain with a DownstreamTlsContext,
 * no SNI to match on) is never opened as plain HTTP by gateway-proxy (compile-listener.ts): a chain
 * whose TLS context cannot be built (here: a secret that holds no real certificate) is left out with a
 * logged warning, and a listener with only such chains is not served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileListener } from '../../../src/proxy/listener/compile-listener.js';
import { createProxyStats } from '../../../src/proxy/stats.js';
import { translate } from '../../../src/translator/translate.js';
import { fakeClusters, memoryLogger } from '../proxy/fakes.js';
import { loadResources } from '../../../src/api/load.js';
import { emptySnapshot, SNAPSHOT_FIELD, type ApiSnapshot } from '../../../src/config/snapshot.js';
import type { AnyResource } from '../../../src/api/resource.js';
import { defaultGateways } from '../../../src/translator/gateway/default-gateways.js';

function snapshotFromYaml(text: string): ApiSnapshot {
  const snapshot = emptySnapshot();
  const fields = SNAPSHOT_FIELD as Record<string, string | undefined>;
  const lists = snapshot as unknown as Record<string, AnyResource[] | undefined>;
  for (const r of loadResources(text, 'tls.yaml').resources) lists[fields[r.kind] ?? '']?.push(r);
  snapshot.gateways = defaultGateways('gloo-system');
  return snapshot;
}

const INPUT = `apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: gloo-system}
type: kubernetes.io/tls
stringData: {tls.crt: CERT, tls.key: KEY}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: secure, namespace: gloo-system}
spec:
  sslConfig: {secretRef: {name: tls, namespace: gloo-system}}
  virtualHost:
    domains: ['*']
    routes: [{directResponseAction: {status: 200, body: secure}}]
`;

test('a catch-all TLS filter chain is emitted for Envoy but not opened as plain HTTP', () => {
  const result = translate(snapshotFromYaml(INPUT));
  const xds = result.xds.get('gloo-system~gateway-proxy')!;
  const listener = xds.listeners.find((l) => l.name === 'listener-::-8443')!;
  assert.ok(listener, 'the SSL listener is in the snapshot');
  assert.equal(listener.filter_chains.length, 1);
  assert.equal(listener.filter_chains[0]!.filter_chain_match, undefined, 'a catch-all chain');
  assert.equal(listener.filter_chains[0]!.transport_socket?.name, 'envoy.transport_sockets.tls');
  const logger = memoryLogger();
  const config = compileListener(listener, { routeTables: new Map(), clusters: fakeClusters(), stats: createProxyStats(), logger });
  assert.equal(config, null);
  assert.ok(logger.entries.some((e) => e.level === 'warn' && /TLS context rejected/.test(e.msg)));
});
