/**
 * Upstream (gloo.solo.io/v1): a routable destination, an Envoy cluster and its endpoints.
 * The type-independent fields are here with `static`; the other upstream types and the big
 * sub-trees live in `../types/upstream-*.ts`.
 */
import { obj, str, bool, uint32, duration, arr, map, any, enumOf, struct, type Infer } from '../schema.js';
import { implementedCopy } from '../types/field-support.js';
import { ServiceSpec } from '../types/upstream-service-spec.js';
import { HealthCheck, HostHealthCheckConfig, OutlierDetection } from '../types/upstream-health.js';
import { UpstreamSslConfig } from '../types/upstream-ssl.js';
import {
  ConnectionConfig,
  EnforcedCircuitBreakerConfig,
  Failover,
  HttpConnectHeader,
  LoadBalancerConfig,
  PreconnectPolicy,
} from '../types/upstream-connection.js';
import {
  AwsEc2UpstreamSpec,
  AwsUpstreamSpec,
  AzureUpstreamSpec,
  ConsulUpstreamSpec,
  GcpUpstreamSpec,
  KubeUpstreamSpec,
  PipeUpstreamSpec,
} from '../types/upstream-types.js';

/** `{addr, port, sniAddr?, loadBalancingWeight?, healthCheckConfig?, metadata?}`; addr and port are required. */
export const StaticHost = obj(
  {
    addr: str().supported(),
    port: uint32().supported(),
    sniAddr: str().supported(),
    loadBalancingWeight: uint32().supported(),
    healthCheckConfig: HostHealthCheckConfig.notYet('ignored'),
    metadata: map(struct()).supported(),
  },
  { required: ['addr', 'port'] },
);
export type StaticHost = Infer<typeof StaticHost>;

/** Example: `{hosts: [{addr: jsonplaceholder.typicode.com, port: 80}]}`. */
export const StaticUpstreamSpec = obj({
  hosts: arr(StaticHost).supported(),
  useTls: bool().supported(),
  autoSniRewrite: bool().supported(),
  serviceSpec: ServiceSpec.notYet('function routing is not implemented yet'),
});
export type StaticUpstreamSpec = Infer<typeof StaticUpstreamSpec>;

const later = (what: string) => `${what} is not implemented yet; the field is ignored`;

/** Upstream TLS as the data plane originates it (src/proxy/upstream/tls). */
const SSL_CONFIG = implementedCopy(UpstreamSslConfig, {
  sds: { notYet: 'SDS is not translated: the cluster gets a TLS context without certificates (Warning)' },
  allowRenegotiation: { partial: "translated; the data plane's TLS client (node) accepts a server's renegotiation either way" },
  'sslFiles.ocspStaple': { partial: 'translated; an upstream (client) connection sends no OCSP staple' },
}).supported();

/** Connection settings as the data plane applies them (src/proxy/upstream/connection-settings.ts). */
const CONNECTION_CONFIG = implementedCopy(ConnectionConfig, {
  'tcpKeepalive.keepaliveProbes': { partial: 'translated; the OS default applies (node cannot set probes)' },
  'tcpKeepalive.keepaliveInterval': { partial: 'translated; the OS default applies (node cannot set the interval)' },
  'commonHttpProtocolOptions.maxHeadersCount': { partial: 'translated; not enforced on upstream responses' },
  'commonHttpProtocolOptions.maxStreamDuration': { partial: 'translated; not enforced on upstream streams' },
  'commonHttpProtocolOptions.headersWithUnderscoresAction': { partial: 'translated; not applied to upstream responses' },
  'http1ProtocolOptions.enableTrailers': { partial: 'upstream trailers are always forwarded (Envoy drops HTTP/1.1 trailers unless this is set)' },
  'http1ProtocolOptions.properCaseHeaderKeyFormat': { partial: 'translated; header names go upstream in lowercase' },
  'http1ProtocolOptions.preserveCaseHeaderKeyFormat': { notYet: 'not translated; header names go upstream in lowercase' },
  'http1ProtocolOptions.overrideStreamErrorOnInvalidHttpMessage': { partial: 'translated; an invalid upstream response fails the request either way' },
}).supported();

/**
 * Example (a discovered upstream):
 *   `{kube: {serviceName: petstore, serviceNamespace: default, servicePort: 8080, selector: {app: petstore}},
 *     discoveryMetadata: {labels: {app: petstore}}}`
 * Type oneof: kube | static | pipe | aws | azure | consul | awsEc2 | gcp | ai.
 */
export const UpstreamSpec = obj(
  {
    discoveryMetadata: obj({
      labels: map(str()).supported(),
    }).supported(),
    sslConfig: SSL_CONFIG,
    circuitBreakers: EnforcedCircuitBreakerConfig.supported(),
    loadBalancerConfig: LoadBalancerConfig.supported(),
    healthChecks: arr(HealthCheck).supported(),
    outlierDetection: OutlierDetection.supported(),
    kube: KubeUpstreamSpec.notYet(later('kube upstreams (the cluster gets no endpoints)')),
    static: StaticUpstreamSpec.supported(),
    pipe: implementedCopy(PipeUpstreamSpec, { serviceSpec: { notYet: 'function routing is not implemented yet' } }).supported(),
    aws: AwsUpstreamSpec.notYet(later('aws upstreams')),
    azure: AzureUpstreamSpec.notYet(later('azure upstreams')),
    consul: ConsulUpstreamSpec.notYet(later('consul upstreams')),
    awsEc2: AwsEc2UpstreamSpec.notYet(later('awsEc2 upstreams')),
    gcp: GcpUpstreamSpec.notYet(later('gcp upstreams')),
    // EE AI gateway upstreams (openai, anthropic, gemini, vertexAi, azureOpenai, multi…): carried as is.
    ai: any().notYet(later('ai upstreams (Gloo Enterprise AI gateway)')),
    failover: Failover.notYet(later('failover')),
    connectionConfig: CONNECTION_CONFIG,
    protocolSelection: enumOf(['USE_CONFIGURED_PROTOCOL', 'USE_DOWNSTREAM_PROTOCOL'] as const).notYet(
      later('protocolSelection'),
    ),
    useHttp2: bool().supported(),
    initialStreamWindowSize: uint32().supported(),
    initialConnectionWindowSize: uint32().supported(),
    maxConcurrentStreams: uint32().supported(),
    overrideStreamErrorOnInvalidHttpMessage: bool().partial('translated; an invalid HTTP/2 frame from the upstream fails the request either way'),
    httpProxyHostname: str().notYet(later('httpProxyHostname')),
    httpConnectSslConfig: UpstreamSslConfig.notYet(later('httpConnectSslConfig')),
    httpConnectHeaders: arr(HttpConnectHeader).notYet(later('httpConnectHeaders')),
    ignoreHealthOnHostRemoval: bool().supported(),
    respectDnsTtl: bool().supported(),
    dnsRefreshRate: duration().supported(),
    proxyProtocolVersion: str().notYet(later('proxyProtocolVersion')),
    preconnectPolicy: PreconnectPolicy.notYet(later('preconnectPolicy')),
    disableIstioAutoMtls: bool().notYet(later('disableIstioAutoMtls')),
  },
  { oneofs: [['kube', 'static', 'pipe', 'aws', 'azure', 'consul', 'awsEc2', 'gcp', 'ai']] },
);
export type UpstreamSpec = Infer<typeof UpstreamSpec>;
