/**
 * Proxy (gloo.solo.io/v1): the flattened configuration for one proxy fleet, produced by the gateway
 * translator — listeners → virtual hosts → routes. The contract between the two translators.
 */
import { obj, str, uint32, arr, map, any, bool, struct, type Infer } from '../schema.js';
import { ProxyRoute } from '../types/route.js';
import { VirtualHostOptions } from '../types/options.js';
import { CidrRange } from '../types/matchers.js';
import { SslConfig } from '../types/ssl.js';
import {
  FilterStage,
  HttpListenerOptions,
  ListenerOptions,
  RouteConfigurationOptions,
  TcpHost,
  TcpListenerOptions,
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
    options: HttpListenerOptions.notYet('HTTP listener options are ignored'),
    statPrefix: str().supported(),
    customHttpFilters: arr(CustomEnvoyFilter).notYet('ignored'),
    customNetworkFilters: arr(CustomEnvoyFilter).notYet('ignored'),
    metadata: struct().notYet('ignored'),
    metadataStatic: SourceMetadata.notYet('ignored'),
  },
  { oneofs: [['metadata', 'metadataStatic']] },
);
export type HttpListener = Infer<typeof HttpListener>;

/** `{tcpHosts[], options, statPrefix, customNetworkFilters[]}`. */
export const TcpListener = notYetObj('ignored', {
  tcpHosts: arr(TcpHost),
  options: TcpListenerOptions,
  statPrefix: str(),
  customNetworkFilters: arr(CustomEnvoyFilter),
});
export type TcpListener = Infer<typeof TcpListener>;

/** A filter chain match: `{sslConfig, sourcePrefixRanges[], prefixRanges[], destinationPort, passthroughCipherSuites[]}`. */
export const ProxyMatcher = notYetObj('ignored', {
  sslConfig: SslConfig,
  sourcePrefixRanges: arr(CidrRange),
  prefixRanges: arr(CidrRange),
  destinationPort: uint32(),
  passthroughCipherSuites: arr(str()),
});

export const MatchedListener = notYetObj(
  'ignored',
  {
    matcher: ProxyMatcher,
    httpListener: HttpListener,
    tcpListener: TcpListener,
    sslConfigurations: arr(SslConfig),
  },
  { oneofs: [['httpListener', 'tcpListener']] },
);

export const HybridListener = notYetObj('ignored', { matchedListeners: arr(MatchedListener) });

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
    tcpListener: TcpListener.notYet('TCP listeners are not served yet'),
    hybridListener: HybridListener.notYet('hybrid listeners are not served yet'),
    aggregateListener: AggregateListener.notYet('aggregate listeners are not served yet'),
    sslConfigurations: arr(SslConfig).notYet('TLS is not served yet'),
    useProxyProto: bool().notYet('ignored'),
    options: ListenerOptions.notYet('listener options are ignored'),
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
