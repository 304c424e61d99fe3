/**
 * Upstream (gloo.solo.io/v1): a routable destination, an Envoy cluster and its endpoints.
 * The type-independent fields are here with `static`; the other upstream types and the big
 * sub-trees live in `../types/upstream-*.ts`.
 */
import { obj, str, bool, uint32, duration, arr, map, any, enumOf, struct, type Infer } from '../schema.js';
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
    sniAddr: str().notYet('ignored: upstream TLS is not implemented yet'),
    loadBalancingWeight: uint32().notYet('ignored: hosts are balanced round robin with equal weight'),
    healthCheckConfig: HostHealthCheckConfig.notYet('ignored'),
    metadata: map(struct()).notYet('ignored'),
  },
  { required: ['addr', 'port'] },
);
export type StaticHost = Infer<typeof StaticHost>;

/** Example: `{hosts: [{addr: jsonplaceholder.typicode.com, port: 80}]}`. */
export const StaticUpstreamSpec = obj({
  hosts: arr(StaticHost).supported(),
  useTls: bool().notYet('ignored: upstream TLS is not implemented yet'),
  autoSniRewrite: bool().notYet('ignored'),
  serviceSpec: ServiceSpec.notYet('function routing is not implemented yet'),
});
export type StaticUpstreamSpec = Infer<typeof StaticUpstreamSpec>;

const later = (what: string) => `${what} is not implemented yet; the field is ignored`;

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
    sslConfig: UpstreamSslConfig.notYet(later('upstream TLS')),
    circuitBreakers: CircuitBreakerConfig.notYet(later('circuitBreakers')),
    loadBalancerConfig: LoadBalancerConfig.notYet(later('loadBalancerConfig')),
    healthChecks: arr(HealthCheck).notYet(later('healthChecks')),
    outlierDetection: OutlierDetection.notYet(later('outlierDetection')),
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
    connectionConfig: ConnectionConfig.notYet(later('connectionConfig')),
    protocolSelection: enumOf(['USE_CONFIGURED_PROTOCOL', 'USE_DOWNSTREAM_PROTOCOL'] as const).notYet(
      later('protocolSelection'),
    ),
    useHttp2: bool().notYet(later('useHttp2')),
    initialStreamWindowSize: uint32().notYet(later('initialStreamWindowSize')),
    initialConnectionWindowSize: uint32().notYet(later('initialConnectionWindowSize')),
    maxConcurrentStreams: uint32().notYet(later('maxConcurrentStreams')),
    overrideStreamErrorOnInvalidHttpMessage: bool().notYet(later('overrideStreamErrorOnInvalidHttpMessage')),
    httpProxyHostname: str().notYet(later('httpProxyHostname')),
    httpConnectSslConfig: UpstreamSslConfig.notYet(later('httpConnectSslConfig')),
    httpConnectHeaders: arr(HttpConnectHeader).notYet(later('httpConnectHeaders')),
    ignoreHealthOnHostRemoval: bool().notYet(later('ignoreHealthOnHostRemoval')),
    respectDnsTtl: bool().notYet(later('respectDnsTtl')),
    dnsRefreshRate: duration().notYet(later('dnsRefreshRate')),
    proxyProtocolVersion: str().notYet(later('proxyProtocolVersion')),
    preconnectPolicy: PreconnectPolicy.notYet(later('preconnectPolicy')),
    disableIstioAutoMtls: bool().notYet(later('disableIstioAutoMtls')),
  },
  { oneofs: [['kube', 'static', 'pipe', 'aws', 'azure', 'consul', 'awsEc2', 'gcp', 'ai']] },
);
export type UpstreamSpec = Infer<typeof UpstreamSpec>;
