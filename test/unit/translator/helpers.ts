/**
 * Test helpers: snapshots from YAML text, the way a config source builds them.
 */
import { loadResources } from '../../../src/api/load.js';
import { emptySnapshot, SNAPSHOT_FIELD, type ApiSnapshot } from '../../../src/config/snapshot.js';
import type { AnyResource } from '../../../src/api/resource.js';

export function snapshotOf(yaml: string, file = 'test.yaml'): ApiSnapshot {
  const { resources, errors } = loadResources(yaml, file);
  const snapshot = emptySnapshot();
  const fields = SNAPSHOT_FIELD as Record<string, string | undefined>;
  const lists = snapshot as unknown as Record<string, AnyResource[] | undefined>;
  for (const r of resources) lists[fields[r.kind] ?? '']?.push(r);
  snapshot.errors = errors;
  return snapshot;
}

export const GATEWAY = `
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gateway-proxy, namespace: gloo-system}
spec: {bindAddress: '::', bindPort: 8080, httpGateway: {}}
`;

export function vsYaml(name: string, domain: string, body: string, regex = '/ok'): string {
  return `
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: default}
spec:
  virtualHost:
    domains: [${domain}]
    routes:
      - matchers: [{regex: '${regex}'}]
        directResponseAction: {status: 200, body: ${body}}
`;
}
