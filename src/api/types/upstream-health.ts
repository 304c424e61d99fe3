/**
 * Active and passive health checking of an Upstream's endpoints: `healthChecks[]` (Envoy v2-style
 * HealthCheck, §2.2.6) and `outlierDetection` (§2.2.7).
 */
import { str, bool, uint32, arr, duration, enumOf, struct, any, empty, type Infer } from '../schema.js';
import { notYetObj, EnvoyHeaderValueOption } from './upstream-common.js';
import { Int64Range } from './matchers.js';

const NOTE = 'ignored: active health checks are not implemented yet';

/** `{text}`: bytes sent or expected by a TCP health check. */
const Payload = notYetObj(NOTE, { text: str() });

/** Gloo EE response assertions of an HTTP health check (advanced_http). */
const HealthCheckResult = enumOf(['default', 'healthy', 'degraded', 'unhealthy'] as const);
export const ResponseAssertions = notYetObj(NOTE, {
  responseMatchers: arr(
    notYetObj(NOTE, {
      responseMatch: notYetObj(
        NOTE,
        {
          jsonKey: notYetObj(NOTE, { path: arr(notYetObj(NOTE, { key: str() })) }),
          ignoreErrorOnParse: bool(),
          header: str(),
          body: empty(),
          regex: str(),
        },
        { oneofs: [['header', 'body']] },
      ),
      matchHealth: HealthCheckResult,
    }),
  ),
  noMatchHealth: HealthCheckResult,
});

export const HttpHealthCheck = notYetObj(NOTE, {
  host: str(),
  path: str(),
  serviceName: str(),
  requestHeadersToAdd: arr(EnvoyHeaderValueOption),
  requestHeadersToRemove: arr(str()),
  useHttp2: bool(),
  expectedStatuses: arr(Int64Range),
  responseAssertions: ResponseAssertions,
  method: enumOf([
    'METHOD_UNSPECIFIED',
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'DELETE',
    'CONNECT',
    'OPTIONS',
    'TRACE',
    'PATCH',
  ] as const),
});

export const TcpHealthCheck = notYetObj(NOTE, { send: Payload, receive: arr(Payload) });

export const GrpcHealthCheck = notYetObj(NOTE, {
  serviceName: str(),
  authority: str(),
  initialMetadata: arr(EnvoyHeaderValueOption),
});

export const CustomHealthCheck = notYetObj(
  NOTE,
  { name: str(), config: struct(), typedConfig: any() },
  { oneofs: [['config', 'typedConfig']] },
);

/**
 * Example (Gloo docs): `{healthyThreshold: 1, unhealthyThreshold: 1, interval: 30s, timeout: 10s,
 * httpHealthCheck: {path: /check/healthz}}`. Checker oneof: http | tcp | grpc | custom.
 */
export const HealthCheck = notYetObj(
  NOTE,
  {
    timeout: duration(),
    interval: duration(),
    initialJitter: duration(),
    intervalJitter: duration(),
    intervalJitterPercent: uint32(),
    unhealthyThreshold: uint32(),
    healthyThreshold: uint32(),
    reuseConnection: bool(),
    httpHealthCheck: HttpHealthCheck,
    tcpHealthCheck: TcpHealthCheck,
    grpcHealthCheck: GrpcHealthCheck,
    customHealthCheck: CustomHealthCheck,
    noTrafficInterval: duration(),
    unhealthyInterval: duration(),
    unhealthyEdgeInterval: duration(),
    healthyEdgeInterval: duration(),
    eventLogPath: str(),
    alwaysLogHealthCheckFailures: bool(),
  },
  {
    oneofs: [['httpHealthCheck', 'tcpHealthCheck', 'grpcHealthCheck', 'customHealthCheck']],
    required: ['timeout', 'interval'],
  },
);
export type HealthCheck = Infer<typeof HealthCheck>;

/** Per-endpoint overrides of a health check (`{path, method}` on static hosts). */
export const HostHealthCheckConfig = notYetObj(NOTE, { path: str(), method: str() });

const OD_NOTE = 'ignored: outlier detection is not implemented yet';
const percent = () => uint32().notYet(OD_NOTE);

/**
 * Passive health checking (Envoy OutlierDetection). Example: `{consecutive5xx: 5, interval: 10s,
 * baseEjectionTime: 30s, maxEjectionPercent: 10}`. `consecutive_5xx` (the proto name) loads too.
 */
export const OutlierDetection = notYetObj(OD_NOTE, {
  consecutive5xx: uint32(),
  interval: duration(),
  baseEjectionTime: duration(),
  maxEjectionPercent: percent(),
  enforcingConsecutive5xx: percent(),
  enforcingSuccessRate: percent(),
  successRateMinimumHosts: uint32(),
  successRateRequestVolume: uint32(),
  successRateStdevFactor: uint32(),
  consecutiveGatewayFailure: uint32(),
  enforcingConsecutiveGatewayFailure: percent(),
  splitExternalLocalOriginErrors: bool(),
  consecutiveLocalOriginFailure: uint32(),
  enforcingConsecutiveLocalOriginFailure: percent(),
  enforcingLocalOriginSuccessRate: percent(),
});
export type OutlierDetection = Infer<typeof OutlierDetection>;
