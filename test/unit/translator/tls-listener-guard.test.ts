/**
 * Two guards against serving a broken TLS context: the translator rejects a VirtualService whose TLS
 * secret is not a certificate and matching key (Rejected, the chain left out), and gateway-proxy never
 * opens a filter chain whose DownstreamTlsContext cannot be built as plain HTTP (compile-listener.ts:
 * the chain is left out with a logged warning; a listener with only such chains is not served).
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
import { TYPE_URL, type Listener } from '../../../src/xds/envoy-types.js';
import { hcm } from '../proxy/snapshot-builders.js';

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

test('a VirtualService whose TLS secret holds no certificate is Rejected, naming the secret', () => {
  const result = translate(snapshotFromYaml(INPUT));
  const report = result.reports.get({ kind: 'VirtualService', metadata: { name: 'secure', namespace: 'gloo-system' } });
  assert.equal(report?.errors.length, 1);
  assert.match(report!.errors[0]!, /SSL secret gloo-system\.tls is not a valid TLS secret: tls\.crt: cannot parse the certificate/);
});

test('a filter chain whose TLS context cannot be built is never opened as plain HTTP', () => {
  const listener: Listener = {
    name: 'listener-::-8443',
    address: { socket_address: { address: '::', port_value: 8443 } },
    filter_chains: [
      {
        filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm('routes') }],
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': TYPE_URL.downstreamTlsContext,
            common_tls_context: { tls_certificates: [{ certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: 'KEY' } }] },
          },
        },
      },
    ],
  };
  const logger = memoryLogger();
  const config = compileListener(listener, { routeTables: new Map(), clusters: fakeClusters(), stats: createProxyStats(), logger });
  assert.equal(config, null);
  assert.ok(logger.entries.some((e) => e.level === 'warn' && /TLS context rejected/.test(e.msg)));
});
