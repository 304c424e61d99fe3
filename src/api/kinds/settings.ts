/**
 * Settings (gloo.solo.io/v1, canonical instance gloo-system/default): global controller config
 * (§2.8): config/secret/artifact sources, discovery, the gloo and gateway controllers, Consul,
 * Kubernetes client limits, upstream defaults and the EE extauth / rate-limit / rbac servers.
 */
import { obj, str, bool, uint32, int32, double, arr, map, duration, any, empty, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from '../types/core.js';
import { notYetObj, LabelSelector, StringMatcher } from '../types/upstream-common.js';
import { EnforcedCircuitBreakerConfig } from '../types/upstream-connection.js';
import { SslParameters } from '../types/ssl.js';
import { ConsulConsistencyMode, ConsulQueryOptions } from '../types/upstream-types.js';
import { Extensions } from '../types/options.js';
import { ExtProcSettings } from '../types/listener.js';
import { Descriptor, RateLimitServerSettings, SetDescriptor } from '../types/rate-limit.js';
import { ExtAuthSettings } from '../types/ext-auth-settings.js';

const later = (what: string) => `${what} is ignored`;
const IGNORED = 'ignored';

// ---- storage ------------------------------------------------------------------------------------

/** `{directory: /data/config}`. */
const Directory = notYetObj(IGNORED, { directory: str() });
/** `{rootKey: gloo}`. */
const ConsulKv = notYetObj(IGNORED, { rootKey: str() });

const VaultTlsConfig = notYetObj(IGNORED, {
  caCert: str(),
  caPath: str(),
  clientCert: str(),
  clientKey: str(),
  tlsServerName: str(),
  insecure: bool(),
});

const VaultAwsAuth = notYetObj(IGNORED, {
  vaultRole: str(),
  region: str(),
  iamServerIdHeader: str(),
  mountPath: str(),
  accessKeyId: str(),
  secretAccessKey: str(),
  sessionToken: str(),
  leaseIncrement: int32(),
});

/** `{address, accessToken | aws {…}, rootKey (gloo), pathPrefix (secret), tlsConfig {…}, …}`. */
const VaultSecrets = notYetObj(
  IGNORED,
  {
    token: str(),
    address: str(),
    caCert: str(),
    caPath: str(),
    clientCert: str(),
    clientKey: str(),
    tlsServerName: str(),
    insecure: bool(),
    rootKey: str(),
    pathPrefix: str(),
    tlsConfig: VaultTlsConfig,
    accessToken: str(),
    aws: VaultAwsAuth,
  },
  { oneofs: [['accessToken', 'aws']] },
);

/** Beta multi-source secrets: `{sources[] {kubernetes: {} | vault {…} | directory {…}}}`. */
const SecretOptions = notYetObj(IGNORED, {
  sources: arr(
    notYetObj(
      IGNORED,
      { kubernetes: empty(), vault: VaultSecrets, directory: Directory },
      { oneofs: [['kubernetes', 'vault', 'directory']] },
    ),
  ),
});

// ---- discovery ----------------------------------------------------------------------------------

const DISCOVERY_NOTE = 'ignored: discovery is not implemented yet';

/** Example (Helm): `{fdsMode: WHITELIST}`. Proto default fdsMode is BLACKLIST. */
export const DiscoveryOptions = notYetObj(DISCOVERY_NOTE, {
  fdsMode: enumOf(['BLACKLIST', 'WHITELIST', 'DISABLED'] as const),
  udsOptions: notYetObj(DISCOVERY_NOTE, { enabled: bool(), watchLabels: map(str()) }),
  fdsOptions: empty(),
});

// ---- gloo ---------------------------------------------------------------------------------------

const GLOO_NOTE = 'ignored';

/**
 * Example (Helm): `{xdsBindAddr: 0.0.0.0:9977, restXdsBindAddr: 0.0.0.0:9976, enableRestEds: false,
 * invalidConfigPolicy: {invalidRouteResponseCode: 404, replaceInvalidRoutes: false}, disableKubernetesDestinations: false}`.
 */
export const GlooOptions = notYetObj(GLOO_NOTE, {
  xdsBindAddr: str(),
  validationBindAddr: str(),
  // Default circuit breakers of every cluster (gloo translator, plugins/circuit-breakers).
  circuitBreakers: EnforcedCircuitBreakerConfig.supported(),
  endpointsWarmingTimeout: duration(),
  awsOptions: notYetObj(
    GLOO_NOTE,
    {
      enableCredentialsDiscovey: bool(),
      serviceAccountCredentials: notYetObj(GLOO_NOTE, {
        cluster: str(),
        uri: str(),
        timeout: duration(),
        region: str(),
      }),
      propagateOriginalRouting: bool(),
      credentialRefreshDelay: duration(),
      fallbackToFirstFunction: bool(),
    },
    { oneofs: [['enableCredentialsDiscovey', 'serviceAccountCredentials']] },
  ),
  // Read by the gloo translator (src/translator/settings.ts): invalid routes become a direct response.
  invalidConfigPolicy: obj({
    replaceInvalidRoutes: bool().supported(),
    invalidRouteResponseCode: uint32().supported(),
    invalidRouteResponseBody: str().supported(),
  }).supported(),
  disableKubernetesDestinations: bool(),
  disableGrpcWeb: bool().supported(),
  disableProxyGarbageCollection: bool(),
  regexMaxProgramSize: uint32(),
  restXdsBindAddr: str(),
  enableRestEds: bool(),
  failoverUpstreamDnsPollingInterval: duration(),
  removeUnusedFilters: bool(),
  proxyDebugBindAddr: str(),
  // Defaults of the transformation filter (plugins/transformation → the filter's config).
  logTransformationRequestResponseInfo: bool().supported(),
  transformationEscapeCharacters: bool().supported(),
  istioOptions: notYetObj(GLOO_NOTE, {
    appendXForwardedHost: bool(),
    enableAutoMtls: bool(),
    enableIntegration: bool(),
  }),
  enableAutoWebsocketTransformationPassthrough: bool().partial('upgrade (websocket) requests are never transformed by the gloo-ts data plane, with or without it'),
});

// ---- gateway ------------------------------------------------------------------------------------

const GATEWAY_NOTE = 'ignored';

/**
 * Example (Helm): `{readGatewaysFromAllNamespaces: false, validation: {alwaysAccept: true, allowWarnings: true,
 * proxyValidationServerAddr: gloo:9988, serverEnabled: true}}`.
 */
export const GatewayOptions = notYetObj(GATEWAY_NOTE, {
  validationServerAddr: str(),
  validation: notYetObj(GATEWAY_NOTE, {
    proxyValidationServerAddr: str(),
    validationWebhookTlsCert: str(),
    validationWebhookTlsKey: str(),
    ignoreGlooValidationFailure: bool(),
    alwaysAccept: bool().supported(),
    allowWarnings: bool().supported(),
    warnRouteShortCircuiting: bool(),
    disableTransformationValidation: bool().supported(),
    validationServerGrpcMaxSizeBytes: int32(),
    serverEnabled: bool(),
    warnMissingTlsSecret: bool().supported(),
    fullEnvoyValidation: bool(),
  }).supported(),
  readGatewaysFromAllNamespaces: bool().supported(),
  alwaysSortRouteTableRoutes: bool(),
  compressedProxySpec: bool(),
  virtualServiceOptions: notYetObj(GATEWAY_NOTE, { oneWayTls: bool() }),
  persistProxySpec: bool(),
  enableGatewayController: bool(),
  isolateVirtualHostsBySslConfig: bool(),
  translateEmptyGateways: bool().supported(),
});

// ---- consul -------------------------------------------------------------------------------------

const CONSUL_NOTE = 'ignored: consul is not implemented yet';

/** `{httpAddress: 127.0.0.1:8500, datacenter, token, serviceDiscovery: {dataCenters[]}, dnsAddress, dnsPollingInterval}`. */
export const ConsulConfiguration = notYetObj(CONSUL_NOTE, {
  address: str(),
  datacenter: str(),
  username: str(),
  password: str(),
  token: str(),
  caFile: str(),
  caPath: str(),
  certFile: str(),
  keyFile: str(),
  insecureSkipVerify: bool(),
  waitTime: duration(),
  serviceDiscovery: notYetObj(CONSUL_NOTE, { dataCenters: arr(str()) }),
  httpAddress: str(),
  dnsAddress: str(),
  dnsPollingInterval: duration(),
});

/** `{useTlsTagging, tlsTagName (glooUseTls), rootCa, splitTlsServices, consistencyMode, queryOptions, …}`. */
export const ConsulUpstreamDiscoveryConfiguration = notYetObj(CONSUL_NOTE, {
  useTlsTagging: bool(),
  tlsTagName: str(),
  rootCa: ResourceRef,
  splitTlsServices: bool(),
  consistencyMode: ConsulConsistencyMode,
  queryOptions: ConsulQueryOptions,
  serviceTagsAllowlist: arr(str()),
  edsBlockingQueries: bool(),
});

// ---- EE servers -----------------------------------------------------------------------------------

const EE_NOTE = 'ignored';

/** Server-side limits for inline `ratelimit` actions: `{descriptors[], setDescriptors[]}`. */
export const RateLimitServiceSettings = notYetObj('ignored: global rate limiting is not implemented yet', {
  descriptors: arr(Descriptor),
  setDescriptors: arr(SetDescriptor),
});

/** `{cachingServiceRef, allowedVaryHeaders[], timeout, maxPayloadSize}`. */
export const CachingServerSettings = notYetObj(EE_NOTE, {
  cachingServiceRef: ResourceRef,
  allowedVaryHeaders: arr(StringMatcher),
  timeout: duration(),
  maxPayloadSize: uint32(),
});

// ---- Settings -----------------------------------------------------------------------------------

/**
 * Example (Helm default, trimmed):
 *   `{discoveryNamespace: gloo-system, kubernetesArtifactSource: {}, kubernetesConfigSource: {},
 *     kubernetesSecretSource: {}, refreshRate: 60s, discovery: {fdsMode: WHITELIST}, gloo: {…}, gateway: {…}}`
 * Storage oneofs: config source, secret source, artifact source.
 */
export const SettingsSpec = obj(
  {
    discoveryNamespace: str().supported(),
    watchNamespaces: arr(str()).notYet('all namespaces are watched'),
    watchNamespaceSelectors: arr(LabelSelector).notYet(later('watchNamespaceSelectors')),
    kubernetesConfigSource: empty().notYet(later('kubernetesConfigSource')),
    directoryConfigSource: Directory.notYet(later('directoryConfigSource (use gloo run --config-dir)')),
    consulKvSource: ConsulKv.notYet(later('consulKvSource')),
    kubernetesSecretSource: empty().notYet(later('kubernetesSecretSource')),
    vaultSecretSource: VaultSecrets.notYet(later('vaultSecretSource')),
    directorySecretSource: Directory.notYet(later('directorySecretSource')),
    secretOptions: SecretOptions.notYet(later('secretOptions')),
    kubernetesArtifactSource: empty().notYet(later('kubernetesArtifactSource')),
    directoryArtifactSource: Directory.notYet(later('directoryArtifactSource')),
    consulKvArtifactSource: ConsulKv.notYet(later('consulKvArtifactSource')),
    refreshRate: duration().notYet('files are watched; there is no periodic resync'),
    devMode: bool().notYet(later('devMode')),
    linkerd: bool().notYet(later('linkerd')),
    knative: notYetObj(IGNORED, {
      clusterIngressProxyAddress: str(),
      knativeExternalProxyAddress: str(),
      knativeInternalProxyAddress: str(),
    }).notYet(later('knative')),
    discovery: DiscoveryOptions.notYet(later('discovery')),
    // Descended into: the fields gloo-ts reads are marked supported, every other one warns by name.
    gloo: GlooOptions.supported(),
    gateway: GatewayOptions.supported(),
    consul: ConsulConfiguration.notYet(later('consul')),
    consulDiscovery: ConsulUpstreamDiscoveryConfiguration.notYet(later('consulDiscovery')),
    kubernetes: notYetObj(IGNORED, {
      rateLimits: notYetObj(IGNORED, { QPS: double(), burst: uint32() }),
    }).notYet(later('kubernetes')),
    extensions: Extensions.notYet(later('extensions')),
    extauth: ExtAuthSettings.notYet(later('extauth')),
    namedExtauth: map(ExtAuthSettings).notYet(later('namedExtauth')),
    cachingServer: CachingServerSettings.notYet(later('cachingServer')),
    observabilityOptions: notYetObj(IGNORED, {
      grafanaIntegration: notYetObj(IGNORED, {
        defaultDashboardFolderId: uint32(),
        dashboardPrefix: str(),
        extraMetricQueryParameters: str(),
      }),
      configStatusMetricLabels: map(notYetObj(IGNORED, { labelToPath: map(str()) })),
    }).notYet(later('observabilityOptions')),
    upstreamOptions: notYetObj(IGNORED, {
      sslParameters: SslParameters,
      globalAnnotations: map(str()),
    }).notYet(later('upstreamOptions')),
    consoleOptions: empty().notYet(later('consoleOptions')),
    // Removed from Gloo with GraphQL (1.20); old Settings may still carry it.
    graphqlOptions: any().notYet(later('graphqlOptions')),
    extProcEarly: ExtProcSettings.notYet(later('extProcEarly')),
    extProc: ExtProcSettings.notYet(later('extProc')),
    extProcLate: ExtProcSettings.notYet(later('extProcLate')),
    watchNamespacesExclude: arr(str()).notYet(later('watchNamespacesExclude')),
    ratelimit: RateLimitServiceSettings.notYet(later('ratelimit')),
    ratelimitServer: RateLimitServerSettings.notYet(later('ratelimitServer')),
    rbac: notYetObj(IGNORED, { requireRbac: bool() }).notYet(later('rbac')),
    ipV4Only: bool().notYet(later('ipV4Only')),
  },
  {
    oneofs: [
      ['kubernetesConfigSource', 'directoryConfigSource', 'consulKvSource'],
      ['kubernetesSecretSource', 'vaultSecretSource', 'directorySecretSource'],
      ['kubernetesArtifactSource', 'directoryArtifactSource', 'consulKvArtifactSource'],
    ],
  },
);
export type SettingsSpec = Infer<typeof SettingsSpec>;
