/**
 * Upstream (gloo.solo.io/v1): a routable destination, an Envoy cluster and its endpoints.
 * The type-independent fields are here with `static`; the other upstream types and the big
 * sub-trees live in `../types/upstream-*.ts`.
 */
import { obj, str, bool, uint32, duration, arr, map, any, enumOf, struct, type Infer } from '../schema.js';
import { translatedCopy } from '../types/field-support.js';
import { ServiceSpec } from '../types/upstream-service-spec.js';
import { HealthCheck, HostHealthCheckConfig, OutlierDetection } from '../types/upstream-health.js';
import { UpstreamSslConfig } from '../types/upstream-ssl.js';
import {
  CircuitBreakerConfig,
  ConnectionConfig,
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
    sniAddr: str().partial('translated to Envoy config (per-host SNI); the gloo-ts data plane does not originate TLS yet (issue 7)'),
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
  useTls: bool().partial('translated to Envoy config (UpstreamTlsContext); the gloo-ts data plane does not originate TLS yet (issue 7)'),
  autoSniRewrite: bool().partial('translated to Envoy config (per-host SNI); the gloo-ts data plane does not originate TLS yet (issue 7)'),
  serviceSpec: ServiceSpec.notYet('function routing is not implemented yet'),
});
export type StaticUpstreamSpec = Infer<typeof StaticUpstreamSpec>;

const later = (what: string) => `${what} is not implemented yet; the field is ignored`;
/** Fields the gloo translator emits as Envoy cluster config (issue 4) that gateway-proxy does not act on yet. */
const TRANSLATED = 'translated to Envoy config; not enforced by the gloo-ts data plane yet';
const TLS_TRANSLATED = 'translated to Envoy config (UpstreamTlsContext); the gloo-ts data plane does not originate TLS yet (issue 7)';

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
    sslConfig: translatedCopy(UpstreamSslConfig, ['sds']).partial(TLS_TRANSLATED),
    circuitBreakers: translatedCopy(CircuitBreakerConfig).partial(TRANSLATED),
    loadBalancerConfig: LoadBalancerConfig.supported(),
    healthChecks: arr(HealthCheck).supported(),
    outlierDetection: OutlierDetection.supported(),
    kube: KubeUpstreamSpec.notYet(later('kube upstreams (the cluster gets no endpoints)')),
    static: StaticUpstreamSpec.supported(),
    pipe: PipeUpstreamSpec.notYet(later('pipe upstreams')),
    aws: AwsUpstreamSpec.notYet(later('aws upstreams')),
    azure: AzureUpstreamSpec.notYet(later('azure upstreams')),
    consul: ConsulUpstreamSpec.notYet(later('consul upstreams')),
    awsEc2: AwsEc2UpstreamSpec.notYet(later('awsEc2 upstreams')),
    gcp: GcpUpstreamSpec.notYet(later('gcp upstreams')),
    // EE AI gateway upstreams (openai, anthropic, gemini, vertexAi, azureOpenai, multi…): carried as is.
    ai: any().notYet(later('ai upstreams (Gloo Enterprise AI gateway)')),
    failover: Failover.notYet(later('failover')),
    connectionConfig: translatedCopy(ConnectionConfig, ['http1ProtocolOptions.preserveCaseHeaderKeyFormat']).partial(TRANSLATED),
    protocolSelection: enumOf(['USE_CONFIGURED_PROTOCOL', 'USE_DOWNSTREAM_PROTOCOL'] as const).notYet(
      later('protocolSelection'),
    ),
    useHttp2: bool().partial(TRANSLATED),
    initialStreamWindowSize: uint32().partial(TRANSLATED),
    initialConnectionWindowSize: uint32().partial(TRANSLATED),
    maxConcurrentStreams: uint32().partial(TRANSLATED),
    overrideStreamErrorOnInvalidHttpMessage: bool().partial(TRANSLATED),
    httpProxyHostname: str().notYet(later('httpProxyHostname')),
    httpConnectSslConfig: UpstreamSslConfig.notYet(later('httpConnectSslConfig')),
    httpConnectHeaders: arr(HttpConnectHeader).notYet(later('httpConnectHeaders')),
    ignoreHealthOnHostRemoval: bool().supported(),
    respectDnsTtl: bool().partial(TRANSLATED),
    dnsRefreshRate: duration().partial(TRANSLATED),
    proxyProtocolVersion: str().notYet(later('proxyProtocolVersion')),
    preconnectPolicy: PreconnectPolicy.notYet(later('preconnectPolicy')),
    disableIstioAutoMtls: bool().notYet(later('disableIstioAutoMtls')),
  },
  { oneofs: [['kube', 'static', 'pipe', 'aws', 'azure', 'consul', 'awsEc2', 'gcp', 'ai']] },
);
export type UpstreamSpec = Infer<typeof UpstreamSpec>;
