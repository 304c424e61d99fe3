/**
 * Active and passive health checking of an Upstream's endpoints: `healthChecks[]` (Envoy v2-style
 * HealthCheck, §2.2.6) and `outlierDetection` (§2.2.7). gateway-proxy runs both
 * (src/proxy/upstream/health/, src/proxy/upstream/outlier/); the marks below say what it does not.
 */
import { obj, str, bool, uint32, int64, arr, duration, enumOf, struct, any, empty, type Infer } from '../schema.js';
import { notYetObj } from './upstream-common.js';
import { ResourceRef } from './core.js';

const EE_NOTE = 'Gloo Enterprise response assertions are not implemented; the field is ignored';

/** `{text}`: bytes sent or expected by a TCP health check, hex encoded (`50494E47` is PING). */
const Payload = obj({ text: str().supported() });

/** A header of a health check request: `{header: {key, value}, append?}`. */
const CheckHeader = obj(
  {
    header: obj({ key: str().supported(), value: str().supported() }).supported(),
    headerSecretRef: ResourceRef.notYet('header values from secrets are not translated (Warning); the header is left out'),
    append: bool().supported(),
  },
  { oneofs: [['header', 'headerSecretRef']] },
);

/** A half-open status range `[start, end)`. */
const StatusRange = obj({ start: int64().supported(), end: int64().supported() });

/** Gloo EE response assertions of an HTTP health check (advanced_http). */
const HealthCheckResult = enumOf(['default', 'healthy', 'degraded', 'unhealthy'] as const);
export const ResponseAssertions = notYetObj(EE_NOTE, {
  responseMatchers: arr(
    notYetObj(EE_NOTE, {
      responseMatch: notYetObj(
        EE_NOTE,
        {
          jsonKey: notYetObj(EE_NOTE, { path: arr(notYetObj(EE_NOTE, { key: str() })) }),
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

export const HttpHealthCheck = obj({
  host: str().supported(),
  path: str().supported(),
  serviceName: str().supported(),
  requestHeadersToAdd: arr(CheckHeader).supported(),
  requestHeadersToRemove: arr(str()).supported(),
  useHttp2: bool().partial('HTTP/2 checks are cleartext (h2c); checks over TLS come with upstream TLS'),
  expectedStatuses: arr(StatusRange).supported(),
  responseAssertions: ResponseAssertions.notYet(EE_NOTE),
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
  ] as const).supported(),
});

export const TcpHealthCheck = obj({ send: Payload.supported(), receive: arr(Payload).supported() });

export const GrpcHealthCheck = obj({
  serviceName: str().supported(),
  authority: str().supported(),
  initialMetadata: arr(CheckHeader).supported(),
});

export const CustomHealthCheck = notYetObj(
  'custom health checkers are not implemented; the check is left out (Warning)',
  { name: str(), config: struct(), typedConfig: any() },
  { oneofs: [['config', 'typedConfig']] },
);

/**
 * Example (Gloo docs): `{healthyThreshold: 1, unhealthyThreshold: 1, interval: 30s, timeout: 10s,
 * httpHealthCheck: {path: /check/healthz}}`. Checker oneof: http | tcp | grpc | custom.
 */
export const HealthCheck = obj(
  {
    timeout: duration().supported(),
    interval: duration().supported(),
    initialJitter: duration().supported(),
    intervalJitter: duration().supported(),
    intervalJitterPercent: uint32().supported(),
    unhealthyThreshold: uint32().supported(),
    healthyThreshold: uint32().supported(),
    reuseConnection: bool().supported(),
    httpHealthCheck: HttpHealthCheck.supported(),
    tcpHealthCheck: TcpHealthCheck.supported(),
    grpcHealthCheck: GrpcHealthCheck.supported(),
    customHealthCheck: CustomHealthCheck.notYet('custom health checkers are not implemented; the check is left out (Warning)'),
    noTrafficInterval: duration().supported(),
    unhealthyInterval: duration().supported(),
    unhealthyEdgeInterval: duration().supported(),
    healthyEdgeInterval: duration().supported(),
    eventLogPath: str().supported(),
    alwaysLogHealthCheckFailures: bool().supported(),
  },
  {
    oneofs: [['httpHealthCheck', 'tcpHealthCheck', 'grpcHealthCheck', 'customHealthCheck']],
    required: ['timeout', 'interval'],
  },
);
export type HealthCheck = Infer<typeof HealthCheck>;

/** Per-endpoint overrides of a health check (`{path, method}` on static hosts, Gloo EE advanced_http). */
export const HostHealthCheckConfig = notYetObj('Gloo Enterprise per-host health check settings are not implemented; ignored', {
  path: str(),
  method: str(),
});

/**
 * Passive health checking (Envoy OutlierDetection). Example: `{consecutive5xx: 5, interval: 10s,
 * baseEjectionTime: 30s, maxEjectionPercent: 10}`. `consecutive_5xx` (the proto name) loads too.
 */
export const OutlierDetection = obj({
  consecutive5xx: uint32().supported(),
  interval: duration().supported(),
  baseEjectionTime: duration().supported(),
  maxEjectionPercent: uint32().supported(),
  enforcingConsecutive5xx: uint32().supported(),
  enforcingSuccessRate: uint32().supported(),
  successRateMinimumHosts: uint32().supported(),
  successRateRequestVolume: uint32().supported(),
  successRateStdevFactor: uint32().supported(),
  consecutiveGatewayFailure: uint32().supported(),
  enforcingConsecutiveGatewayFailure: uint32().supported(),
  splitExternalLocalOriginErrors: bool().supported(),
  consecutiveLocalOriginFailure: uint32().supported(),
  enforcingConsecutiveLocalOriginFailure: uint32().supported(),
  enforcingLocalOriginSuccessRate: uint32().supported(),
});
export type OutlierDetection = Infer<typeof OutlierDetection>;
