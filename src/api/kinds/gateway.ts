/**
 * Gateway (gateway.solo.io/v1): one listener (bindAddress:bindPort) and what it serves — an HTTP
 * gateway (VirtualServices), a TCP gateway (tcpHosts) or a hybrid gateway (filter chains chosen by
 * matchers, inline or delegated to MatchableHttpGateway / MatchableTcpGateway resources).
 *
 * Example:
 *   bindAddress: '::'
 *   bindPort: 8080
 *   httpGateway: {virtualServiceSelector: {team: a}, options: {healthCheck: {path: /healthz}}}
 *   proxyNames: [gateway-proxy]
 */
import { obj, str, bool, uint32, arr, map, type Infer } from '../schema.js';
import { ResourceRef } from '../types/core.js';
import { CidrRange, Selector, SelectorExpression } from '../types/matchers.js';
import { SslConfig } from '../types/ssl.js';
import {
  HttpConnectionManagerSettings,
  HttpListenerOptions,
  ListenerOptions,
  RouteConfigurationOptions,
  TcpHost,
  TcpListenerOptions,
} from '../types/listener.js';
import { notYetObj } from '../types/field-support.js';

/** A label-selector requirement `{key, operator, values[]}`. */
export const LabelExpression = SelectorExpression;

export const HttpGateway = obj({
  virtualServices: arr(ResourceRef).supported(),
  virtualServiceSelector: map(str()).supported(),
  virtualServiceExpressions: obj({ expressions: arr(LabelExpression) }).notYet('ignored: all VirtualServices are selected'),
  virtualServiceNamespaces: arr(str()).supported(),
  options: HttpListenerOptions.notYet('HTTP listener options are ignored'),
});
export type HttpGateway = Infer<typeof HttpGateway>;

/** `{tcpHosts[] {name, sslConfig?, destination}, options}` — Envoy tcp_proxy filter chains. */
export const TcpGateway = notYetObj('ignored', {
  tcpHosts: arr(TcpHost),
  options: TcpListenerOptions,
});
export type TcpGateway = Infer<typeof TcpGateway>;

/**
 * The filter-chain match of a hybrid gateway entry: `{sslConfig?, sourcePrefixRanges[],
 * passthroughCipherSuites[] (EE)}`. An empty matcher is the catch-all chain.
 */
export const GatewayMatcher = notYetObj('ignored', {
  sslConfig: SslConfig,
  sourcePrefixRanges: arr(CidrRange),
  passthroughCipherSuites: arr(str()),
});

/** One inline filter chain of a hybrid gateway: `{matcher, httpGateway | tcpGateway}`. */
export const MatchedGateway = notYetObj(
  'ignored',
  {
    matcher: GatewayMatcher,
    httpGateway: HttpGateway,
    tcpGateway: TcpGateway,
  },
  { oneofs: [['httpGateway', 'tcpGateway']] },
);

/** Selects MatchableHttpGateways: `{ref | selector, preventChildOverrides, httpConnectionManagerSettings, sslConfig}`. */
export const DelegatedHttpGateway = notYetObj(
  'ignored',
  {
    ref: ResourceRef,
    selector: Selector,
    preventChildOverrides: bool(),
    httpConnectionManagerSettings: HttpConnectionManagerSettings,
    sslConfig: SslConfig,
  },
  { oneofs: [['ref', 'selector']] },
);

/** Selects MatchableTcpGateways: `{ref | selector}`. */
export const DelegatedTcpGateway = notYetObj(
  'ignored',
  { ref: ResourceRef, selector: Selector },
  { oneofs: [['ref', 'selector']] },
);

/** `{matchedGateways[]}` or `{delegatedHttpGateways, delegatedTcpGateways}` (ignored if matchedGateways is set). */
export const HybridGateway = notYetObj('ignored', {
  matchedGateways: arr(MatchedGateway),
  delegatedHttpGateways: DelegatedHttpGateway,
  delegatedTcpGateways: DelegatedTcpGateway,
});
export type HybridGateway = Infer<typeof HybridGateway>;

export const GatewaySpec = obj(
  {
    bindAddress: str().supported(),
    bindPort: uint32().supported(),
    ssl: bool().supported(),
    useProxyProto: bool().notYet('ignored'),
    httpGateway: HttpGateway.supported(),
    tcpGateway: TcpGateway.notYet('TCP gateways are not served yet'),
    hybridGateway: HybridGateway.notYet('hybrid gateways are not served yet'),
    proxyNames: arr(str()).supported(),
    options: ListenerOptions.notYet('listener options are ignored'),
    routeOptions: RouteConfigurationOptions.notYet('ignored'),
  },
  { oneofs: [['httpGateway', 'tcpGateway', 'hybridGateway']] },
);
export type GatewaySpec = Infer<typeof GatewaySpec>;
