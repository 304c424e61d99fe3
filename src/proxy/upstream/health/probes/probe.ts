/**
 * One protocol's way of checking one endpoint (HTTP, TCP, gRPC). A probe owns the connection it
 * checks over — never a traffic pool's — and keeps it between checks when `reuse_connection` is
 * true (Envoy's default). The session (health-check-session.ts) runs the schedule, the thresholds
 * and the timeout: on timeout it calls `abort()`, which closes the connection, as Envoy does.
 *
 * Example: `const r = await probe.run(); if (r.healthy) …`.
 */

/** Why a check failed, as Envoy classifies it (HealthCheckFailureType). */
export const enum FailureType {
  /** The host answered and said no (a status outside the expected ones, NOT_SERVING…). */
  Active,
  /** No answer: connection refused, reset or closed early. Counts towards `unhealthy_threshold`. */
  Network,
  /** No answer within `timeout`. Counts towards `unhealthy_threshold`. */
  Timeout,
}

export interface ProbeResult {
  healthy: boolean;
  failure?: FailureType;
  /** An Active failure that counts towards the threshold instead of failing at once (HTTP `retriable_statuses`). */
  retriable?: boolean;
  /** The response carried `x-envoy-immediate-health-check-fail`. */
  immediateFail?: boolean;
  /** Cluster-name verification was attempted (HTTP `service_name_matcher`). */
  verifiedCluster?: boolean;
  /** Short text for logs. */
  reason?: string;
}

export interface Probe {
  /** Runs one check. Never rejects. */
  run(): Promise<ProbeResult>;
  /** Gives up on the check in flight (its result is ignored) and closes the connection. */
  abort(): void;
  /** Closes any kept connection; the probe is not used again. */
  close(): void;
}

/** The endpoint a probe checks. `address` is an IP, or a DNS name for LOGICAL_DNS clusters. */
export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
}

export const HEALTHY: ProbeResult = Object.freeze({ healthy: true });

export function networkFailure(reason: string): ProbeResult {
  return { healthy: false, failure: FailureType.Network, reason };
}

export function activeFailure(reason: string, retriable = false): ProbeResult {
  return { healthy: false, failure: FailureType.Active, retriable, reason };
}

/** `host:port` for URLs and `:authority`, with brackets for IPv6. */
export function authorityOf(t: ProbeTarget): string {
  return t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`;
}
