/**
 * Listener-level types shared by the Gateway, MatchableHttpGateway/MatchableTcpGateway and Proxy
 * kinds: ListenerOptions (§2.7.3, access logs, socket options, proxy protocol), HttpListenerOptions
 * (§2.7.2, with HttpConnectionManagerSettings §2.7.5), TcpListenerOptions, RouteConfigurationOptions
 * and the TCP host of a TCP gateway.
 *
 * Example (`httpGateway.options`):
 *   options:
 *     httpConnectionManagerSettings: {useRemoteAddress: true, xffNumTrustedHops: 1, streamIdleTimeout: 30s}
 *     healthCheck: {path: /healthz}
 */
import { obj, str, bool, uint32, int64, duration, arr, map, any, empty, struct, enumOf, lazy, type Infer, type Schema } from '../schema.js';
import { ResourceRef } from './core.js';
import { CidrRange, EnvoyHeaderMatcher, ListStringMatcher } from './matchers.js';
import { SslConfig } from './ssl.js';
import { TcpDestination, TcpMultiDestination } from './destination.js';
import {
  Buffer,
  CsrfPolicy,
  DlpFilterConfig,
  EarlyHeaderManipulation,
  Extensions,
  ExtProcProcessingMode,
  ExtProcGrpcService,
  FractionalPercent,
  HeaderValue,
  ProtocolUpgradeConfig,
  TokenBucket,
  TracePercentages,
  WafSettings,
} from './options.js';
import { notYetObj, translatedCopy } from './field-support.js';
import { GrpcJsonTranscoder } from './grpc-json.js';
import { ExtAuthSettings } from './ext-auth-settings.js';
import { RateLimitServerSettings } from './rate-limit.js';

/** The note of a top-level listener option gloo-ts does not implement yet. */
const later = (what: string) => `${what} is not implemented yet; the field is ignored`;

/** Options the gloo translator emits as Envoy config (issue 4) that gateway-proxy does not act on yet. */
const TRANSLATED = 'translated to Envoy config; not enforced by the gloo-ts data plane yet';

/** SslConfig as the gloo translator reads it: every field but `sds` goes into the Envoy TLS context. */
export const TranslatedSslConfig = translatedCopy(SslConfig, ['sds']);

/** An sslConfig whose TLS the gloo-ts data plane terminates (src/proxy/tls/downstream-tls.ts); the partial fields say what it does not do. */
const tls = TranslatedSslConfig.shape;
export const ServedSslConfig = obj(
  {
    ...tls,
    disableTlsSessionResumption: tls.disableTlsSessionResumption.partial("translated to Envoy config; the gloo-ts data plane keeps node's TLS session resumption"),
    transportSocketConnectTimeout: tls.transportSocketConnectTimeout.partial('translated to Envoy config; the gloo-ts data plane cuts a TLS handshake after 10 s whatever the value'),
    ocspStaplePolicy: tls.ocspStaplePolicy.partial(
      'the staple of the secret (`tls.ocsp-staple`) or file is sent to clients that ask; MUST_STAPLE refuses a chain without one; STRICT_STAPLING behaves as LENIENT_STAPLING (the staple is not checked for freshness)',
    ),
    sslFiles: tls.sslFiles.supported().describe('certificate, key, CA and OCSP staple files are watched: a change is served to new connections without a restart'),
  },
  TranslatedSslConfig.options,
);


// ---- access logging (als.options.gloo.solo.io) ---------------------------------------------------

/** `{path, stringFormat | jsonFormat}`; `stringFormat: ""` ⇒ Envoy's default format. */
export const FileSink = notYetObj(
  'ignored',
  { path: str(), stringFormat: str(), jsonFormat: struct() },
  { oneofs: [['stringFormat', 'jsonFormat']] },
);

export const AccessLogGrpcService = notYetObj(
  'ignored',
  {
    logName: str(),
    staticClusterName: str(),
    additionalRequestHeadersToLog: arr(str()),
    additionalResponseHeadersToLog: arr(str()),
    additionalResponseTrailersToLog: arr(str()),
    filterStateObjectsToLog: arr(str()),
  },
  { oneofs: [['staticClusterName']] },
);

export const OpenTelemetryService = notYetObj('ignored', {
  logName: str(),
  collector: notYetObj('ignored', {
    endpoint: str(),
    authority: str(),
    headers: map(str()),
    insecure: bool(),
    // An UpstreamSslConfig (typed with the Upstream kind); carried as is here.
    sslConfig: any(),
    timeout: duration(),
  }),
  filterStateObjectsToLog: arr(str()),
  disableBuiltinLabels: bool(),
  // OpenTelemetry AnyValue / KeyValueList: free-form.
  body: struct(),
  attributes: struct(),
});

const ComparisonFilter = notYetObj('ignored', {
  op: enumOf(['EQ', 'GE', 'LE'] as const),
  value: notYetObj('ignored', { defaultValue: uint32(), runtimeKey: str() }),
});

/**
 * An access-log filter: exactly one of `statusCodeFilter`, `durationFilter`, `notHealthCheckFilter`,
 * `traceableFilter`, `runtimeFilter`, `andFilter`, `orFilter` (recursive), `headerFilter`,
 * `responseFlagFilter`, `grpcStatusFilter`.
 */
export interface AccessLogFilter {
  statusCodeFilter?: Infer<typeof StatusCodeFilter>;
  durationFilter?: Infer<typeof StatusCodeFilter>;
  notHealthCheckFilter?: Record<string, never>;
  traceableFilter?: Record<string, never>;
  runtimeFilter?: Infer<typeof RuntimeFilter>;
  andFilter?: { filters?: AccessLogFilter[] };
  orFilter?: { filters?: AccessLogFilter[] };
  headerFilter?: { header?: Infer<typeof EnvoyHeaderMatcher> };
  responseFlagFilter?: { flags?: string[] };
  grpcStatusFilter?: Infer<typeof GrpcStatusFilter>;
}

const StatusCodeFilter = notYetObj('ignored', { comparison: ComparisonFilter });
const RuntimeFilter = notYetObj('ignored', {
  runtimeKey: str(),
  percentSampled: FractionalPercent,
  useIndependentRandomness: bool(),
});
const GrpcStatusFilter = notYetObj('ignored', {
  statuses: arr(
    enumOf([
      'OK',
      'CANCELED',
      'UNKNOWN',
      'INVALID_ARGUMENT',
      'DEADLINE_EXCEEDED',
      'NOT_FOUND',
      'ALREADY_EXISTS',
      'PERMISSION_DENIED',
      'RESOURCE_EXHAUSTED',
      'FAILED_PRECONDITION',
      'ABORTED',
      'OUT_OF_RANGE',
      'UNIMPLEMENTED',
      'INTERNAL',
      'UNAVAILABLE',
      'DATA_LOSS',
      'UNAUTHENTICATED',
    ] as const),
  ),
  exclude: bool(),
});

export const AccessLogFilter: Schema<AccessLogFilter> = lazy<AccessLogFilter>(() =>
  notYetObj(
    'ignored',
    {
      statusCodeFilter: StatusCodeFilter,
      durationFilter: StatusCodeFilter,
      notHealthCheckFilter: empty(),
      traceableFilter: empty(),
      runtimeFilter: RuntimeFilter,
      andFilter: notYetObj('ignored', { filters: arr(AccessLogFilter) }),
      orFilter: notYetObj('ignored', { filters: arr(AccessLogFilter) }),
      headerFilter: notYetObj('ignored', { header: EnvoyHeaderMatcher }),
      responseFlagFilter: notYetObj('ignored', { flags: arr(str()) }),
      grpcStatusFilter: GrpcStatusFilter,
    },
    {
      oneofs: [
        [
          'statusCodeFilter',
          'durationFilter',
          'notHealthCheckFilter',
          'traceableFilter',
          'runtimeFilter',
          'andFilter',
          'orFilter',
          'headerFilter',
          'responseFlagFilter',
          'grpcStatusFilter',
        ],
      ],
    },
  ),
);

/** One access log: destination oneof `fileSink | grpcService | openTelemetryService`, optional `filter`. */
export const AccessLog = notYetObj(
  'ignored',
  {
    fileSink: FileSink,
    grpcService: AccessLogGrpcService,
    openTelemetryService: OpenTelemetryService,
    filter: AccessLogFilter,
  },
  { oneofs: [['fileSink', 'grpcService', 'openTelemetryService']] },
);
export type AccessLog = Infer<typeof AccessLog>;

export const AccessLoggingService = notYetObj('ignored', { accessLog: arr(AccessLog) });
export type AccessLoggingService = Infer<typeof AccessLoggingService>;

// ---- ListenerOptions -----------------------------------------------------------------------------

export const SocketOption = notYetObj(
  'ignored',
  {
    description: str(),
    level: int64(),
    name: int64(),
    intValue: int64(),
    bufValue: str(),
    state: enumOf(['STATE_PREBIND', 'STATE_BOUND', 'STATE_LISTENING'] as const),
  },
  { oneofs: [['intValue', 'bufValue']] },
);

export const ProxyProtocol = notYetObj('ignored', {
  rules: arr(
    notYetObj('ignored', {
      tlvType: uint32(),
      onTlvPresent: notYetObj('ignored', { metadataNamespace: str(), key: str() }),
    }),
  ),
  allowRequestsWithoutProxyProtocol: bool(),
});

/** Gateway `spec.options` / Proxy listener `options` (§2.7.3). */
export const ListenerOptions = obj({
  accessLoggingService: translatedCopy(AccessLoggingService, ['accessLog.grpcService', 'accessLog.openTelemetryService', 'accessLog.filter']).supported(),
  extensions: Extensions.notYet(later('extensions')),
  perConnectionBufferLimitBytes: uint32().partial(TRANSLATED),
  socketOptions: arr(SocketOption).notYet(later('socketOptions')),
  proxyProtocol: ProxyProtocol.notYet(later('proxyProtocol')),
  connectionBalanceConfig: notYetObj('ignored', { exactBalance: empty() }).notYet(later('connectionBalanceConfig')),
  listenerAccessLoggingService: AccessLoggingService.notYet(later('listenerAccessLoggingService')),
  tcpStats: bool().notYet(later('tcpStats')),
});
export type ListenerOptions = Infer<typeof ListenerOptions>;

/** Gateway `routeOptions` / Proxy listener `routeOptions`: Envoy RouteConfiguration knobs. */
export const RouteConfigurationOptions = obj({
  maxDirectResponseBodySizeBytes: uint32().notYet(later('maxDirectResponseBodySizeBytes')),
  mostSpecificHeaderMutationsWins: bool().notYet(later('mostSpecificHeaderMutationsWins')),
});
export type RouteConfigurationOptions = Infer<typeof RouteConfigurationOptions>;

// ---- HttpConnectionManagerSettings (hcm.options.gloo.solo.io) ---------------------------------------

/** A tracing provider config; `collectorUpstreamRef` (an Upstream) or `clusterName` names the collector. */
const tracingProvider = <S extends Record<string, Schema<any>>>(shape: S) =>
  notYetObj('ignored', { collectorUpstreamRef: ResourceRef, clusterName: str(), ...shape }, {
    oneofs: [['collectorUpstreamRef', 'clusterName']],
  });

export const ListenerTracingSettings = notYetObj(
  'ignored',
  {
    requestHeadersForTags: arr(str()),
    verbose: bool(),
    tracePercentages: TracePercentages,
    zipkinConfig: tracingProvider({
      collectorEndpoint: str(),
      traceId128bit: bool(),
      sharedSpanContext: bool(),
      collectorEndpointVersion: enumOf(['DEPRECATED_AND_UNAVAILABLE_DO_NOT_USE', 'HTTP_JSON', 'HTTP_PROTO'] as const),
    }),
    datadogConfig: tracingProvider({
      serviceName: str(),
      collectorHostname: str(),
      remoteConfig: notYetObj('ignored', { pollingInterval: duration(), disabled: bool() }),
    }),
    openTelemetryConfig: tracingProvider({
      serviceName: str(),
      grpcService: notYetObj('ignored', { authority: str() }),
      maxCacheSize: uint32(),
    }),
    // Deprecated in Envoy; carried as is.
    openCensusConfig: struct(),
    environmentVariablesForTags: arr(notYetObj('ignored', { tag: str(), name: str(), defaultValue: str() })),
    literalsForTags: arr(notYetObj('ignored', { tag: str(), value: str() })),
    metadataForTags: arr(
      notYetObj('ignored', {
        tag: str(),
        kind: enumOf(['REQUEST', 'ENDPOINT'] as const),
        value: notYetObj('ignored', { namespace: str(), key: str(), nestedFieldDelimiter: str() }),
        defaultValue: str(),
      }),
    ),
    spawnUpstreamSpan: bool(),
  },
  { oneofs: [['zipkinConfig', 'datadogConfig', 'openTelemetryConfig', 'openCensusConfig']] },
);

export const Http2ProtocolOptions = notYetObj('ignored', {
  maxConcurrentStreams: uint32(),
  initialStreamWindowSize: uint32(),
  initialConnectionWindowSize: uint32(),
  overrideStreamErrorOnInvalidHttpMessage: bool(),
});

/**
 * Envoy HttpConnectionManager pass-throughs (§2.7.5). Note the proto-JSON names with digits:
 * `proxy100Continue` (`proxy_100_continue`), `acceptHttp10` (`accept_http_10`),
 * `defaultHostForHttp10` (`default_host_for_http_10`).
 */
export const HttpConnectionManagerSettings = obj(
  {
    skipXffAppend: bool().supported(),
    via: str().supported(),
    xffNumTrustedHops: uint32().supported(),
    useRemoteAddress: bool().supported(),
    generateRequestId: bool().supported(),
    proxy100Continue: bool().partial(TRANSLATED),
    streamIdleTimeout: duration().supported(),
    idleTimeout: duration().supported(),
    maxRequestHeadersKb: uint32().supported(),
    requestTimeout: duration().supported(),
    requestHeadersTimeout: duration().supported(),
    drainTimeout: duration().partial(TRANSLATED),
    delayedCloseTimeout: duration().partial(TRANSLATED),
    serverName: str().supported(),
    stripAnyHostPort: bool().partial(TRANSLATED),
    acceptHttp10: bool().partial(TRANSLATED),
    defaultHostForHttp10: str().partial(TRANSLATED),
    allowChunkedLength: bool().partial(TRANSLATED),
    enableTrailers: bool().partial(TRANSLATED),
    properCaseHeaderKeyFormat: bool().partial(TRANSLATED),
    preserveCaseHeaderKeyFormat: bool().notYet('ignored'),
    tracing: ListenerTracingSettings.notYet('ignored: tracing is not implemented yet'),
    forwardClientCertDetails: enumOf([
      'SANITIZE',
      'FORWARD_ONLY',
      'APPEND_FORWARD',
      'SANITIZE_SET',
      'ALWAYS_FORWARD_ONLY',
    ] as const).supported(),
    setCurrentClientCertDetails: translatedCopy(notYetObj('ignored', {
      subject: bool(),
      cert: bool(),
      chain: bool(),
      dns: bool(),
      uri: bool(),
    })).supported(),
    preserveExternalRequestId: bool().supported(),
    upgrades: arr(translatedCopy(ProtocolUpgradeConfig)).partial(TRANSLATED),
    maxConnectionDuration: duration().partial(TRANSLATED),
    maxStreamDuration: duration().partial(TRANSLATED),
    maxHeadersCount: uint32().partial(TRANSLATED),
    headersWithUnderscoresAction: enumOf(['ALLOW', 'REJECT_CLIENT_REQUEST', 'DROP_HEADER'] as const).supported(),
    maxRequestsPerConnection: uint32().partial(TRANSLATED),
    serverHeaderTransformation: enumOf(['OVERWRITE', 'APPEND_IF_ABSENT', 'PASS_THROUGH'] as const).supported(),
    pathWithEscapedSlashesAction: enumOf([
      'IMPLEMENTATION_SPECIFIC_DEFAULT',
      'KEEP_UNCHANGED',
      'REJECT_REQUEST',
      'UNESCAPE_AND_REDIRECT',
      'UNESCAPE_AND_FORWARD',
    ] as const).partial(TRANSLATED),
    codecType: enumOf(['AUTO', 'HTTP1', 'HTTP2'] as const).partial(TRANSLATED),
    mergeSlashes: bool().partial(TRANSLATED),
    normalizePath: bool().partial(TRANSLATED),
    uuidRequestIdConfig: notYetObj('ignored', {
      packTraceReason: bool(),
      useRequestIdForTraceSampling: bool(),
    }).notYet('ignored'),
    http2ProtocolOptions: translatedCopy(Http2ProtocolOptions).partial(TRANSLATED),
    internalAddressConfig: notYetObj('ignored', {
      unixSockets: bool(),
      cidrRanges: arr(CidrRange),
    }).notYet('ignored'),
    appendXForwardedPort: bool().partial(TRANSLATED),
    earlyHeaderManipulation: EarlyHeaderManipulation.notYet('ignored'),
  },
  { oneofs: [['properCaseHeaderKeyFormat', 'preserveCaseHeaderKeyFormat']] },
);
export type HttpConnectionManagerSettings = Infer<typeof HttpConnectionManagerSettings>;

// ---- HttpListenerOptions ----------------------------------------------------------------------------

export const GzipOptions = notYetObj('ignored', {
  memoryLevel: uint32(),
  contentLength: uint32(),
  compressionLevel: enumOf(['DEFAULT', 'BEST', 'SPEED'] as const),
  compressionStrategy: enumOf(['DEFAULT', 'FILTERED', 'HUFFMAN', 'RLE'] as const),
  contentType: arr(str()),
  disableOnEtagHeader: bool(),
  removeAcceptEncodingHeader: bool(),
  windowBits: uint32(),
});

export { GrpcJsonTranscoder } from './grpc-json.js';

const DnsRefreshRate = notYetObj('ignored', { baseInterval: duration(), maxInterval: duration() });

/** Listener-wide dynamic forward proxy filter (`dfp.options.gloo.solo.io FilterConfig`). */
export const DynamicForwardProxyFilterConfig = notYetObj('ignored', {
  dnsCacheConfig: notYetObj(
    'ignored',
    {
      dnsLookupFamily: enumOf(['V4_PREFERRED', 'V4_ONLY', 'V6_ONLY', 'AUTO', 'ALL'] as const),
      dnsRefreshRate: duration(),
      hostTtl: duration(),
      maxHosts: uint32(),
      dnsFailureRefreshRate: DnsRefreshRate,
      dnsCacheCircuitBreaker: notYetObj('ignored', { maxPendingRequests: uint32() }),
      // Envoy resolver and address messages: carried as is.
      caresDns: struct(),
      appleDns: struct(),
      preresolveHostnames: arr(struct()),
      dnsQueryTimeout: duration(),
    },
    { oneofs: [['caresDns', 'appleDns']] },
  ),
  saveUpstreamAddress: bool(),
  // An UpstreamSslConfig and CircuitBreakerConfig (typed with the Upstream kind); carried as is here.
  sslConfig: any(),
  circuitBreakers: any(),
});

export const ConnectionLimit = notYetObj('ignored', { maxActiveConnections: uint32(), delayBeforeClose: duration() });

/** `{defaultLimit: TokenBucket, localRateLimitPerDownstreamConnection, enableXRatelimitHeaders}`. */
export const HttpLocalRatelimit = notYetObj('ignored', {
  defaultLimit: TokenBucket,
  localRateLimitPerDownstreamConnection: bool(),
  enableXRatelimitHeaders: bool(),
});

export const RouterOptions = notYetObj('ignored', { suppressEnvoyHeaders: bool(), dynamicStats: bool() });

export const HeaderValidationSettings = notYetObj(
  'ignored',
  { disableHttp1MethodValidation: empty() },
  { oneofs: [['disableHttp1MethodValidation']] },
);

/** Where a custom filter goes: `{stage: FaultStage…RouteStage, predicate: During | Before | After}`. */
export const FilterStage = notYetObj('ignored', {
  stage: enumOf([
    'FaultStage',
    'CorsStage',
    'WafStage',
    'AuthNStage',
    'AuthZStage',
    'RateLimitStage',
    'AcceptedStage',
    'OutAuthStage',
    'RouteStage',
  ] as const),
  predicate: enumOf(['During', 'Before', 'After'] as const),
});

/** EE ext_proc filter settings (extproc.options.gloo.solo.io Settings): `extProc*` on the listener and in Settings. */
export const ExtProcSettings = notYetObj('ignored', {
  grpcService: ExtProcGrpcService,
  filterStage: FilterStage,
  failureModeAllow: bool(),
  processingMode: ExtProcProcessingMode,
  asyncMode: bool(),
  requestAttributes: arr(str()),
  responseAttributes: arr(str()),
  messageTimeout: duration(),
  statPrefix: str(),
  // Envoy HeaderMutationRules {allowAllRouting, allowEnvoy, disallowSystem, disallowAll, …}: carried as is.
  mutationRules: struct(),
  maxMessageTimeout: duration(),
  disableClearRouteCache: bool(),
  forwardRules: notYetObj('ignored', { allowedHeaders: ListStringMatcher, disallowedHeaders: ListStringMatcher }),
  filterMetadata: struct(),
  allowModeOverride: bool(),
  metadataContextNamespaces: arr(str()),
  typedMetadataContextNamespaces: arr(str()),
});

const ProxyLatencyMeasurement = enumOf([
  'LAST_INCOMING_FIRST_OUTGOING',
  'FIRST_INCOMING_FIRST_OUTGOING',
  'LAST_INCOMING_LAST_OUTGOING',
  'FIRST_INCOMING_LAST_OUTGOING',
] as const);

export const ProxyLatency = notYetObj('ignored', {
  request: ProxyLatencyMeasurement,
  measureRequestInternally: bool(),
  response: ProxyLatencyMeasurement,
  chargeClusterStat: bool(),
  chargeListenerStat: bool(),
  emitDynamicMetadata: bool(),
});

/** `httpGateway.options` / Proxy `httpListener.options` (§2.7.2). */
export const HttpListenerOptions = obj(
  {
    grpcWeb: obj({ disable: bool().supported() }).supported(),
    httpConnectionManagerSettings: HttpConnectionManagerSettings.supported(),
    healthCheck: obj({ path: str().supported() }).supported(),
    extensions: Extensions.notYet(later('extensions')),
    waf: WafSettings.notYet(later('waf (EE)')),
    dlp: DlpFilterConfig.notYet(later('dlp (EE)')),
    // EE WebAssembly filters, the deprecated caching filter, tap and stateful sessions: large EE-only
    // APIs, carried untyped until gloo-ts takes them on.
    wasm: any().notYet(later('wasm (EE)')),
    extauth: ExtAuthSettings.notYet(later('extauth (EE)')),
    ratelimitServer: RateLimitServerSettings.notYet(later('ratelimitServer (EE)')),
    caching: any().notYet(later('caching (EE, deprecated)')),
    disableExtProcEarly: bool().notYet(later('disableExtProcEarly (EE)')),
    extProcEarly: ExtProcSettings.notYet(later('extProcEarly (EE)')),
    disableExtProc: bool().notYet(later('disableExtProc (EE)')),
    extProc: ExtProcSettings.notYet(later('extProc (EE)')),
    disableExtProcLate: bool().notYet(later('disableExtProcLate (EE)')),
    extProcLate: ExtProcSettings.notYet(later('extProcLate (EE)')),
    gzip: translatedCopy(GzipOptions).partial(TRANSLATED),
    proxyLatency: ProxyLatency.notYet(later('proxyLatency (EE)')),
    buffer: translatedCopy(Buffer).supported(),
    csrf: translatedCopy(CsrfPolicy).partial(TRANSLATED),
    grpcJsonTranscoder: GrpcJsonTranscoder.notYet(later('grpcJsonTranscoder')),
    sanitizeClusterHeader: bool().notYet(later('sanitizeClusterHeader')),
    leftmostXffAddress: bool().notYet(later('leftmostXffAddress')),
    dynamicForwardProxy: DynamicForwardProxyFilterConfig.notYet(later('dynamicForwardProxy')),
    connectionLimit: ConnectionLimit.notYet(later('connectionLimit')),
    networkLocalRatelimit: TokenBucket.notYet(later('networkLocalRatelimit')),
    httpLocalRatelimit: HttpLocalRatelimit.notYet(later('httpLocalRatelimit')),
    router: RouterOptions.notYet(later('router')),
    tap: any().notYet(later('tap (EE)')),
    statefulSession: any().notYet(later('statefulSession (EE)')),
    headerValidationSettings: HeaderValidationSettings.notYet(later('headerValidationSettings')),
  },
  {
    oneofs: [
      ['disableExtProcEarly', 'extProcEarly'],
      ['disableExtProc', 'extProc'],
      ['disableExtProcLate', 'extProcLate'],
    ],
  },
);
export type HttpListenerOptions = Infer<typeof HttpListenerOptions>;

// ---- TCP ---------------------------------------------------------------------------------------------

export const TcpProxySettings = notYetObj('ignored', {
  maxConnectAttempts: uint32(),
  idleTimeout: duration(),
  tunnelingConfig: notYetObj('ignored', {
    hostname: str(),
    headersToAdd: arr(notYetObj('ignored', { header: HeaderValue, append: bool() })),
  }),
  accessLogFlushInterval: duration(),
});

/** `tcpGateway.options` / Proxy `tcpListener.options`. */
export const TcpListenerOptions = obj({
  tcpProxySettings: translatedCopy(TcpProxySettings, ['tunnelingConfig', 'accessLogFlushInterval'])
    .supported()
    .describe('tcp_proxy `max_connect_attempts` (connect failures retried on a newly picked host) and `idle_timeout` (default 1h, `0s` none)'),
  connectionLimit: ConnectionLimit.notYet(later('connectionLimit')),
  localRatelimit: TokenBucket.notYet(later('localRatelimit')),
});
export type TcpListenerOptions = Infer<typeof TcpListenerOptions>;

/**
 * One TCP host: `{name, sslConfig?, destination: {single | multi | upstreamGroup | forwardSniClusterName: {}}}`.
 * With `sslConfig.sniDomains` it becomes an SNI-matched filter chain; with a certificate it terminates
 * TLS, without one it passes TLS through.
 */
export const TcpHost = obj({
  name: str().supported(),
  sslConfig: ServedSslConfig.supported().describe(
    'SNI-matched filter chain (`sniDomains`); with secretRef / sslFiles TLS is terminated and the decrypted stream proxied, without a certificate TLS is passed through untouched',
  ),
  destination: obj(
    {
      single: TcpDestination.supported(),
      multi: TcpMultiDestination.supported(),
      upstreamGroup: ResourceRef.supported(),
      forwardSniClusterName: empty().supported(),
    },
    { oneofs: [['single', 'multi', 'upstreamGroup', 'forwardSniClusterName']] },
  ).supported(),
});
export type TcpHost = Infer<typeof TcpHost>;
