/**
 * The two Gateways Gloo's Helm chart installs, used when the snapshot has no Gateway at all: plain
 * HTTP on 8080 and the TLS gateway on 8443, both feeding the `gateway-proxy` Proxy.
 */
import type { Resource } from '../../api/resource.js';

export const DEFAULT_PROXY_NAME = 'gateway-proxy';

function gateway(name: string, namespace: string, bindPort: number, ssl: boolean): Resource<'Gateway'> {
  return {
    kind: 'Gateway',
    apiVersion: 'gateway.solo.io/v1',
    metadata: { name, namespace },
    spec: { bindAddress: '::', bindPort, httpGateway: {}, ssl, proxyNames: [DEFAULT_PROXY_NAME] },
    unsupported: [],
  };
}

/** `gateway-proxy` (`::`:8080) and `gateway-proxy-ssl` (`::`:8443, ssl) in `writeNamespace`. */
export function defaultGateways(writeNamespace: string): Resource<'Gateway'>[] {
  return [gateway('gateway-proxy', writeNamespace, 8080, false), gateway('gateway-proxy-ssl', writeNamespace, 8443, true)];
}
