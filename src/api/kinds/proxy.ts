/**
 * Proxy (gloo.solo.io/v1): the flattened configuration for one proxy fleet, produced by the gateway
 * translator — listeners → virtual hosts → routes. The contract between the two translators.
 */
import { obj, str, uint32, arr, any, type Infer } from '../schema.js';
import { ProxyRoute } from '../types/route.js';
import { VirtualHostOptions } from '../types/options.js';
import { ResourceRef } from '../types/core.js';

export const SourceMetadata = obj({
  sources: arr(obj({ resourceRef: ResourceRef.supported(), resourceKind: str().supported(), observedGeneration: str().supported() })).supported(),
});

export const ProxyVirtualHost = obj({
  name: str().supported(),
  domains: arr(str()).supported(),
  routes: arr(ProxyRoute).supported(),
  options: VirtualHostOptions.supported(),
  metadataStatic: SourceMetadata.supported(),
});
export type ProxyVirtualHost = Infer<typeof ProxyVirtualHost>;

export const HttpListener = obj({
  virtualHosts: arr(ProxyVirtualHost).supported(),
  options: any().notYet('HTTP listener options are ignored'),
  statPrefix: str().supported(),
});
export type HttpListener = Infer<typeof HttpListener>;

export const ProxyListener = obj(
  {
    name: str().supported(),
    bindAddress: str().supported(),
    bindPort: uint32().supported(),
    httpListener: HttpListener.supported(),
    tcpListener: any().notYet('TCP listeners are not served yet'),
    hybridListener: any().notYet('hybrid listeners are not served yet'),
    aggregateListener: any().notYet('aggregate listeners are not served yet'),
    sslConfigurations: any().notYet('TLS is not served yet'),
    useProxyProto: any().notYet('ignored'),
    options: any().notYet('listener options are ignored'),
    routeOptions: any().notYet('ignored'),
    metadataStatic: SourceMetadata.supported(),
  },
  { oneofs: [['httpListener', 'tcpListener', 'hybridListener', 'aggregateListener']] },
);
export type ProxyListener = Infer<typeof ProxyListener>;

export const ProxySpec = obj({
  listeners: arr(ProxyListener).supported(),
  compressedSpec: str().notYet('compressed Proxy specs are not read'),
});
export type ProxySpec = Infer<typeof ProxySpec>;
