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
import { obj, str, bool, uint32, arr, map, ObjectSchema, type Infer, type Shape } from '../schema.js';
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
  ServedSslConfig,
} from '../types/listener.js';
import { notYetObj } from '../types/field-support.js';

/** A message implemented in full: every field of `schema` marked supported. */
function allSupported<S extends Shape>(schema: ObjectSchema<S>): ObjectSchema<S> {
  const shape: Shape = {};
  for (const [k, f] of Object.entries(schema.shape)) shape[k] = f.supported();
  return obj(shape as S, schema.options);
}

/** A label-selector requirement `{key, operator, values[]}`. */
export const LabelExpression = allSupported(SelectorExpression);

export const HttpGateway = obj({
  virtualServices: arr(ResourceRef).supported(),
  virtualServiceSelector: map(str()).supported(),
  virtualServiceExpressions: obj({ expressions: arr(LabelExpression).supported() }).supported(),
  virtualServiceNamespaces: arr(str()).supported(),
  options: HttpListenerOptions.supported(),
});
export type HttpGateway = Infer<typeof HttpGateway>;

/** `{tcpHosts[] {name, sslConfig?, destination}, options}` — Envoy tcp_proxy filter chains. */
export const TcpGateway = obj({
  tcpHosts: arr(TcpHost).supported(),
  // Carried into the Proxy; each option warns by name until the data plane implements it.
  options: TcpListenerOptions.supported(),
});
export type TcpGateway = Infer<typeof TcpGateway>;

/**
 * The filter-chain match of a hybrid gateway entry: `{sslConfig?, sourcePrefixRanges[],
 * passthroughCipherSuites[] (EE)}`. An empty matcher is the catch-all chain.
 */
export const GatewayMatcher = obj({
  sslConfig: ServedSslConfig.supported(),
  sourcePrefixRanges: arr(allSupported(CidrRange)).supported(),
  passthroughCipherSuites: arr(str()).notYet('ignored (EE)'),
});

/** One inline filter chain of a hybrid gateway: `{matcher, httpGateway | tcpGateway}`. */
export const MatchedGateway = obj(
  {
    matcher: GatewayMatcher.supported(),
    httpGateway: HttpGateway.supported(),
    tcpGateway: TcpGateway.supported(),
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
export const HybridGateway = obj({
  matchedGateways: arr(MatchedGateway).supported(),
  delegatedHttpGateways: DelegatedHttpGateway.notYet('MatchableHttpGateways are not selected yet: ignored'),
  delegatedTcpGateways: DelegatedTcpGateway.notYet('MatchableTcpGateways are not selected yet: ignored'),
});
export type HybridGateway = Infer<typeof HybridGateway>;

export const GatewaySpec = obj(
  {
    bindAddress: str().supported(),
    bindPort: uint32().supported(),
    ssl: bool().supported(),
    useProxyProto: bool().notYet('ignored'),
    httpGateway: HttpGateway.supported(),
    tcpGateway: TcpGateway.supported(),
    hybridGateway: HybridGateway.supported(),
    proxyNames: arr(str()).supported(),
    options: ListenerOptions.supported(),
    routeOptions: RouteConfigurationOptions.notYet('ignored'),
  },
  { oneofs: [['httpGateway', 'tcpGateway', 'hybridGateway']] },
);
export type GatewaySpec = Infer<typeof GatewaySpec>;
