/**
 * Proxy (gloo.solo.io/v1): the flattened configuration for one proxy fleet, produced by the gateway
 * translator — listeners → virtual hosts → routes. The contract between the two translators.
 */
import { obj, str, uint32, arr, map, any, bool, struct, ObjectSchema, type Infer, type Shape } from '../schema.js';
import { ProxyRoute } from '../types/route.js';
import { VirtualHostOptions } from '../types/options.js';
import { CidrRange } from '../types/matchers.js';
import {
  FilterStage,
  HttpListenerOptions,
  ListenerOptions,
  RouteConfigurationOptions,
  TcpHost,
  TcpListenerOptions,
  ServedSslConfig,
} from '../types/listener.js';
import { notYetObj } from '../types/field-support.js';
import { SourceMetadata } from '../types/source-metadata.js';

export const ProxyVirtualHost = obj(
  {
    name: str().supported(),
    domains: arr(str()).supported(),
    routes: arr(ProxyRoute).supported(),
    options: VirtualHostOptions.supported(),
    metadataStatic: SourceMetadata.supported(),
    metadata: struct().notYet('ignored'),
  },
  { oneofs: [['metadata', 'metadataStatic']] },
);
export type ProxyVirtualHost = Infer<typeof ProxyVirtualHost>;

/** A user-supplied Envoy filter: `{filterStage, name, config (Any)}`. */
export const CustomEnvoyFilter = notYetObj('ignored', {
  filterStage: FilterStage,
  name: str(),
  config: any(),
});

export const HttpListener = obj(
  {
    virtualHosts: arr(ProxyVirtualHost).supported(),
    options: HttpListenerOptions.supported(),
    statPrefix: str().supported(),
    customHttpFilters: arr(CustomEnvoyFilter).notYet('ignored'),
    customNetworkFilters: arr(CustomEnvoyFilter).notYet('ignored'),
    metadata: struct().notYet('ignored'),
    metadataStatic: SourceMetadata.notYet('ignored'),
  },
  { oneofs: [['metadata', 'metadataStatic']] },
);
export type HttpListener = Infer<typeof HttpListener>;

/** A message implemented in full: every field of `schema` marked supported. */
function allSupported<S extends Shape>(schema: ObjectSchema<S>): ObjectSchema<S> {
  const shape: Shape = {};
  for (const [k, f] of Object.entries(schema.shape)) shape[k] = f.supported();
  return obj(shape as S, schema.options);
}

/** `{tcpHosts[], options, statPrefix, customNetworkFilters[]}`. */
export const TcpListener = obj({
  tcpHosts: arr(TcpHost).supported(),
  options: TcpListenerOptions.supported(),
  statPrefix: str().supported(),
  customNetworkFilters: arr(CustomEnvoyFilter).notYet('ignored'),
});
export type TcpListener = Infer<typeof TcpListener>;

/** A filter chain match: `{sslConfig, sourcePrefixRanges[], prefixRanges[], destinationPort, passthroughCipherSuites[]}`. */
export const ProxyMatcher = obj({
  sslConfig: ServedSslConfig.supported(),
  sourcePrefixRanges: arr(allSupported(CidrRange)).supported(),
  prefixRanges: arr(CidrRange).notYet('ignored'),
  destinationPort: uint32().notYet('ignored'),
  passthroughCipherSuites: arr(str()).notYet('ignored (EE)'),
});
export type ProxyMatcher = Infer<typeof ProxyMatcher>;

export const MatchedListener = obj(
  {
    matcher: ProxyMatcher.supported(),
    httpListener: HttpListener.supported(),
    tcpListener: TcpListener.supported(),
    sslConfigurations: arr(ServedSslConfig).supported(),
  },
  { oneofs: [['httpListener', 'tcpListener']] },
);
export type MatchedListener = Infer<typeof MatchedListener>;

export const HybridListener = obj({ matchedListeners: arr(MatchedListener).supported() });
export type HybridListener = Infer<typeof HybridListener>;

/**
 * Virtual hosts and HTTP options by name, filter chains referring to them by name, and TCP
 * chains: `{httpResources {virtualHosts{}, httpOptions{}}, httpFilterChains[], tcpListeners[]}`.
 */
export const AggregateListener = notYetObj('ignored', {
  httpResources: notYetObj('ignored', {
    virtualHosts: map(ProxyVirtualHost),
    httpOptions: map(HttpListenerOptions),
  }),
  httpFilterChains: arr(
    notYetObj('ignored', {
      matcher: ProxyMatcher,
      httpOptionsRef: str(),
      virtualHostRefs: arr(str()),
      customHttpFilters: arr(CustomEnvoyFilter),
      customNetworkFilters: arr(CustomEnvoyFilter),
    }),
  ),
  tcpListeners: arr(notYetObj('ignored', { matcher: ProxyMatcher, tcpListener: TcpListener })),
});

export const ProxyListener = obj(
  {
    name: str().supported(),
    bindAddress: str().supported(),
    bindPort: uint32().supported(),
    httpListener: HttpListener.supported(),
    tcpListener: TcpListener.supported(),
    hybridListener: HybridListener.supported(),
    aggregateListener: AggregateListener.notYet('aggregate listeners are not served yet'),
    sslConfigurations: arr(ServedSslConfig).supported(),
    useProxyProto: bool().notYet('ignored'),
    options: ListenerOptions.supported(),
    routeOptions: RouteConfigurationOptions.notYet('ignored'),
    metadataStatic: SourceMetadata.supported(),
    metadata: struct().notYet('ignored'),
  },
  {
    oneofs: [
      ['httpListener', 'tcpListener', 'hybridListener', 'aggregateListener'],
      ['metadata', 'metadataStatic'],
    ],
  },
);
export type ProxyListener = Infer<typeof ProxyListener>;

export const ProxySpec = obj({
  listeners: arr(ProxyListener).supported(),
  compressedSpec: str().notYet('compressed Proxy specs are not read'),
});
export type ProxySpec = Infer<typeof ProxySpec>;
