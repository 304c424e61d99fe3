/**
 * How gloo-ts talks to an Upstream's endpoints: load balancing (§2.2.8), circuit breakers, connection
 * settings (§2.2.11), PROXY-protocol / preconnect knobs and EE failover endpoints (§2.2.10).
 */
import { obj, str, bool, uint32, uint64, double, duration, empty, enumOf, arr, type Infer } from '../schema.js';
import { implementedCopy } from './field-support.js';
import { notYetObj, StructMap } from './upstream-common.js';
import { UpstreamSslConfig } from './upstream-ssl.js';

/** `{slowStartWindow, aggression (1.0), minWeightPercent (10)}`. */
export const SlowStartConfig = obj({
  slowStartWindow: duration().supported(),
  aggression: double().supported(),
  minWeightPercent: double().supported(),
});

/**
 * Example: `{leastRequest: {choiceCount: 3}, healthyPanicThreshold: 50}`.
 * Type oneof: roundRobin | leastRequest | random | ringHash | maglev; locality oneof: localityWeightedLbConfig.
 * Translated to the Envoy cluster (load-balancer plugin) and balanced as Envoy does by the data plane
 * (src/proxy/upstream/lb/).
 */
export const LoadBalancerConfig = obj(
  {
    healthyPanicThreshold: double().supported(),
    updateMergeWindow: duration().partial('translated to Envoy config; the gloo-ts data plane applies host changes at once'),
    roundRobin: obj({ slowStartConfig: SlowStartConfig.supported() }).supported(),
    leastRequest: obj({ choiceCount: uint32().supported(), slowStartConfig: SlowStartConfig.supported() }).supported(),
    random: empty().supported(),
    ringHash: obj({
      ringHashConfig: obj({ minimumRingSize: uint64().supported(), maximumRingSize: uint64().supported() }).supported(),
    }).supported(),
    maglev: empty().supported(),
    localityWeightedLbConfig: empty().supported(),
    useHostnameForHashing: bool().supported(),
    closeConnectionsOnHostSetChange: bool().partial('translated to Envoy config; the gloo-ts data plane keeps connections when hosts change'),
  },
  { oneofs: [['roundRobin', 'leastRequest', 'random', 'ringHash', 'maglev']] },
);
export type LoadBalancerConfig = Infer<typeof LoadBalancerConfig>;

/** `{maxConnections, maxPendingRequests, maxRequests, maxRetries, trackRemaining}` (Envoy defaults 1024/1024/1024/3). */
export const CircuitBreakerConfig = notYetObj('ignored: no circuit breaking is applied', {
  maxConnections: uint32(),
  maxPendingRequests: uint32(),
  maxRequests: uint32(),
  maxRetries: uint32(),
  trackRemaining: bool(),
});
export type CircuitBreakerConfig = Infer<typeof CircuitBreakerConfig>;

/** CircuitBreakerConfig as the router enforces it (src/proxy/upstream/circuit-breakers.ts). */
export const EnforcedCircuitBreakerConfig = implementedCopy(CircuitBreakerConfig, {
  trackRemaining: { partial: 'accepted; the remaining_* gauges are not published' },
});

const CONN_NOTE = 'ignored: connections use built-in defaults';

/** protocol.options.gloo.solo.io.HttpProtocolOptions. */
export const HttpProtocolOptions = notYetObj(CONN_NOTE, {
  idleTimeout: duration(),
  maxHeadersCount: uint32(),
  maxStreamDuration: duration(),
  headersWithUnderscoresAction: enumOf(['ALLOW', 'REJECT_REQUEST', 'DROP_HEADER'] as const),
});

/** protocol.options.gloo.solo.io.Http1ProtocolOptions; header format oneof. */
export const Http1ProtocolOptions = notYetObj(
  CONN_NOTE,
  {
    enableTrailers: bool(),
    properCaseHeaderKeyFormat: bool(),
    preserveCaseHeaderKeyFormat: bool(),
    overrideStreamErrorOnInvalidHttpMessage: bool(),
  },
  { oneofs: [['properCaseHeaderKeyFormat', 'preserveCaseHeaderKeyFormat']] },
);

/** Example: `{connectTimeout: 5s, maxRequestsPerConnection: 100, tcpKeepalive: {keepaliveTime: 60s}}`. */
export const ConnectionConfig = notYetObj(CONN_NOTE, {
  maxRequestsPerConnection: uint32(),
  connectTimeout: duration(),
  tcpKeepalive: notYetObj(CONN_NOTE, {
    keepaliveProbes: uint32(),
    keepaliveTime: duration(),
    keepaliveInterval: duration(),
  }),
  perConnectionBufferLimitBytes: uint32(),
  commonHttpProtocolOptions: HttpProtocolOptions,
  http1ProtocolOptions: Http1ProtocolOptions,
});
export type ConnectionConfig = Infer<typeof ConnectionConfig>;

/** `{perUpstreamPreconnectRatio, predictivePreconnectRatio}` (each 1.0–3.0). */
export const PreconnectPolicy = notYetObj('ignored: connections are opened on demand', {
  perUpstreamPreconnectRatio: double(),
  predictivePreconnectRatio: double(),
});

/** `{key, value}` headers sent with an HTTP CONNECT to `httpProxyHostname`. */
export const HttpConnectHeader = notYetObj('ignored', { key: str(), value: str() });

const FAILOVER_NOTE = 'ignored: failover endpoints are not used';

export const Locality = notYetObj(FAILOVER_NOTE, { region: str(), zone: str(), subZone: str() });

export const LbEndpoint = notYetObj(FAILOVER_NOTE, {
  address: str(),
  port: uint32(),
  healthCheckConfig: notYetObj(FAILOVER_NOTE, { portValue: uint32(), hostname: str(), path: str(), method: str() }),
  upstreamSslConfig: UpstreamSslConfig,
  loadBalancingWeight: uint32(),
  metadata: StructMap(),
});

export const LocalityLbEndpoints = notYetObj(FAILOVER_NOTE, {
  locality: Locality,
  lbEndpoints: arr(LbEndpoint),
  loadBalancingWeight: uint32(),
});

/**
 * EE failover: `{prioritizedLocalities[] {localityEndpoints[]}, policy {overprovisioningFactor}}`;
 * list index + 1 is the Envoy priority.
 */
export const Failover = notYetObj(FAILOVER_NOTE, {
  prioritizedLocalities: arr(notYetObj(FAILOVER_NOTE, { localityEndpoints: arr(LocalityLbEndpoints) })),
  policy: notYetObj(FAILOVER_NOTE, { overprovisioningFactor: uint32() }),
});
export type Failover = Infer<typeof Failover>;
