/**
 * Envoy's route retry policy (`retry_policy` on the route, else on the virtual host), compiled once:
 * which outcomes are retried (`retry_on`), how many times, the per-try timeout and the back-off.
 *
 * - `5xx`: any 5xx response, a reset, a connect failure or a per-try timeout.
 * - `gateway-error`: 502/503/504, a reset, a connect failure or a per-try timeout.
 * - `reset`: the upstream did not answer (disconnect, reset, per-try timeout).
 * - `connect-failure`: the connection could not be established.
 * - `retriable-4xx`: 409. `retriable-status-codes`: the statuses in `retriable_status_codes`.
 * - gRPC (Envoy's `x-envoy-retry-grpc-on` values, also accepted in `retry_on`): `cancelled`,
 *   `deadline-exceeded`, `internal`, `resource-exhausted`, `unavailable` — the `grpc-status` of a
 *   response's headers (a trailers-only answer), as Envoy decides on headers only; a status that
 *   arrives in trailers after a message is never retried.
 * Other conditions are ignored (`refused-stream`, `envoy-ratelimited`, `retriable-headers`…).
 *
 * Back-off is Envoy's fully jittered exponential: retry n (0-based) waits a uniform random time in
 * [0, min(base·2ⁿ, max)), base 25 ms and max 10 × base by default.
 *
 * Example: `RetryPolicy.compile({ retry_on: '5xx', num_retries: { value: 2 } })?.retriesStatus(503)` → true.
 */
import type { RetryPolicy as RetryPolicyConfig } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';

export const enum RetryOn {
  Status5xx = 1,
  GatewayError = 2,
  Reset = 4,
  ConnectFailure = 8,
  Retriable4xx = 16,
  RetriableStatusCodes = 32,
  GrpcCancelled = 64,
  GrpcDeadlineExceeded = 128,
  GrpcInternal = 256,
  GrpcResourceExhausted = 512,
  GrpcUnavailable = 1024,
  Grpc = GrpcCancelled | GrpcDeadlineExceeded | GrpcInternal | GrpcResourceExhausted | GrpcUnavailable,
}

/** Why an attempt failed without a response. */
export const enum AttemptFailure {
  ConnectFailure,
  Reset,
  PerTryTimeout,
}

export const DEFAULT_BASE_INTERVAL_MS = 25;

export class RetryPolicy {
  private constructor(
    readonly retryOn: number,
    readonly numRetries: number,
    /** 0: no per-try timeout. */
    readonly perTryTimeoutMs: number,
    readonly statusCodes: ReadonlySet<number>,
    readonly baseIntervalMs: number,
    readonly maxIntervalMs: number,
  ) {}

  /** null when the config retries nothing. */
  static compile(c: RetryPolicyConfig | undefined): RetryPolicy | null {
    if (c === undefined) return null;
    let on = 0;
    for (const raw of (c.retry_on ?? '').split(',')) {
      switch (raw.trim()) {
        case '5xx':
          on |= RetryOn.Status5xx;
          break;
        case 'gateway-error':
          on |= RetryOn.GatewayError;
          break;
        case 'reset':
          on |= RetryOn.Reset;
          break;
        case 'connect-failure':
          on |= RetryOn.ConnectFailure;
          break;
        case 'retriable-4xx':
          on |= RetryOn.Retriable4xx;
          break;
        case 'retriable-status-codes':
          on |= RetryOn.RetriableStatusCodes;
          break;
        case 'cancelled':
          on |= RetryOn.GrpcCancelled;
          break;
        case 'deadline-exceeded':
          on |= RetryOn.GrpcDeadlineExceeded;
          break;
        case 'internal':
          on |= RetryOn.GrpcInternal;
          break;
        case 'resource-exhausted':
          on |= RetryOn.GrpcResourceExhausted;
          break;
        case 'unavailable':
          on |= RetryOn.GrpcUnavailable;
          break;
      }
    }
    const numRetries = c.num_retries?.value ?? 1;
    if (on === 0 || numRetries <= 0) {
      // Nothing to retry, but a per-try timeout alone still bounds the single attempt in Envoy.
      const perTry = durationToMs(c.per_try_timeout) ?? 0;
      return perTry > 0 ? new RetryPolicy(0, 0, perTry, new Set(), DEFAULT_BASE_INTERVAL_MS, DEFAULT_BASE_INTERVAL_MS * 10) : null;
    }
    let base = durationToMs(c.retry_back_off?.base_interval) ?? DEFAULT_BASE_INTERVAL_MS;
    if (base <= 0) base = DEFAULT_BASE_INTERVAL_MS;
    let max = durationToMs(c.retry_back_off?.max_interval) ?? base * 10;
    if (max < base) max = base;
    return new RetryPolicy(
      on,
      numRetries,
      durationToMs(c.per_try_timeout) ?? 0,
      new Set((c.retriable_status_codes ?? []).map(Number)),
      base,
      max,
    );
  }

  /** Whether a response with this status is retried (retries left aside). */
  retriesStatus(status: number): boolean {
    const on = this.retryOn;
    if (on & RetryOn.Status5xx && status >= 500) return true;
    if (on & RetryOn.GatewayError && (status === 502 || status === 503 || status === 504)) return true;
    if (on & RetryOn.Retriable4xx && status === 409) return true;
    if (on & RetryOn.RetriableStatusCodes && this.statusCodes.has(status)) return true;
    return false;
  }

  /** Some gRPC condition is on: the router reads `grpc-status` from response headers. */
  get retriesGrpc(): boolean {
    return (this.retryOn & RetryOn.Grpc) !== 0;
  }

  /** Whether a response whose headers carry this `grpc-status` is retried (-1: none). */
  retriesGrpcStatus(code: number): boolean {
    const on = this.retryOn;
    switch (code) {
      case 1:
        return (on & RetryOn.GrpcCancelled) !== 0;
      case 4:
        return (on & RetryOn.GrpcDeadlineExceeded) !== 0;
      case 8:
        return (on & RetryOn.GrpcResourceExhausted) !== 0;
      case 13:
        return (on & RetryOn.GrpcInternal) !== 0;
      case 14:
        return (on & RetryOn.GrpcUnavailable) !== 0;
      default:
        return false;
    }
  }

  /** Whether an attempt that failed without a response is retried. */
  retriesFailure(f: AttemptFailure): boolean {
    const on = this.retryOn;
    if (on & (RetryOn.Status5xx | RetryOn.GatewayError | RetryOn.Reset)) return true;
    return f === AttemptFailure.ConnectFailure && (on & RetryOn.ConnectFailure) !== 0;
  }

  /** Wait before retry `n` (0-based): uniform in [0, min(base·2ⁿ, max)). `rand` in [0, 1). */
  backOffMs(n: number, rand: number = Math.random()): number {
    const ceiling = Math.min(this.baseIntervalMs * 2 ** Math.min(n, 30), this.maxIntervalMs);
    return Math.floor(rand * ceiling);
  }
}
