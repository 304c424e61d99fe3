/**
 * Upstream (gloo.solo.io/v1): a routable destination, an Envoy cluster and its endpoints.
 */
import { obj, str, bool, uint32, arr, any, type Infer } from '../schema.js';

export const StaticHost = obj(
  {
    addr: str().supported(),
    port: uint32().supported(),
    sniAddr: str().notYet('ignored: upstream TLS is not implemented yet'),
    loadBalancingWeight: uint32().notYet('ignored: hosts are balanced round robin with equal weight'),
    healthCheckConfig: any().notYet('ignored'),
    metadata: any().notYet('ignored'),
  },
  { required: ['addr', 'port'] },
);
export type StaticHost = Infer<typeof StaticHost>;

export const StaticUpstreamSpec = obj({
  hosts: arr(StaticHost).supported(),
  useTls: bool().notYet('ignored: upstream TLS is not implemented yet'),
  autoSniRewrite: bool().notYet('ignored'),
  serviceSpec: any().notYet('function routing is not implemented yet'),
});
export type StaticUpstreamSpec = Infer<typeof StaticUpstreamSpec>;

const later = (what: string) => any().notYet(`${what} is not implemented yet; the field is ignored`);

export const UpstreamSpec = obj(
  {
    discoveryMetadata: obj({ labels: any() }).supported(),
    sslConfig: later('upstream TLS'),
    circuitBreakers: later('circuitBreakers'),
    loadBalancerConfig: later('loadBalancerConfig'),
    healthChecks: later('healthChecks'),
    outlierDetection: later('outlierDetection'),
    kube: later('kube upstreams (the cluster gets no endpoints)'),
    static: StaticUpstreamSpec.supported(),
    pipe: later('pipe upstreams'),
    aws: later('aws upstreams'),
    azure: later('azure upstreams'),
    consul: later('consul upstreams'),
    awsEc2: later('awsEc2 upstreams'),
    gcp: later('gcp upstreams'),
    ai: later('ai upstreams'),
    failover: later('failover'),
    connectionConfig: later('connectionConfig'),
    protocolSelection: later('protocolSelection'),
    useHttp2: later('useHttp2'),
    initialStreamWindowSize: later('initialStreamWindowSize'),
    initialConnectionWindowSize: later('initialConnectionWindowSize'),
    maxConcurrentStreams: later('maxConcurrentStreams'),
    overrideStreamErrorOnInvalidHttpMessage: later('overrideStreamErrorOnInvalidHttpMessage'),
    httpProxyHostname: later('httpProxyHostname'),
    httpConnectSslConfig: later('httpConnectSslConfig'),
    httpConnectHeaders: later('httpConnectHeaders'),
    ignoreHealthOnHostRemoval: later('ignoreHealthOnHostRemoval'),
    respectDnsTtl: later('respectDnsTtl'),
    dnsRefreshRate: later('dnsRefreshRate'),
    proxyProtocolVersion: later('proxyProtocolVersion'),
    preconnectPolicy: later('preconnectPolicy'),
    disableIstioAutoMtls: later('disableIstioAutoMtls'),
  },
  { oneofs: [['kube', 'static', 'pipe', 'aws', 'azure', 'consul', 'awsEc2', 'gcp', 'ai']] },
);
export type UpstreamSpec = Infer<typeof UpstreamSpec>;
