/**
 * The router's full path for routes that configure more than a plain forward: retries (with per-try
 * timeouts and jittered back-off), stream idle timeout, and request mirroring. The plain path stays in
 * upstream-request.ts.
 *
 * One RouterRequest per downstream request drives a sequence of attempts. Each attempt is an undici
 * dispatch handler; a failed attempt (retriable status, reset, connect failure, per-try timeout) is
 * aborted before anything reaches the client, and the next one picks a host again through the cluster's
 * load balancer after a back-off. Once response headers are forwarded the exchange is committed: later
 * failures reset the downstream response, as in Envoy.
 *
 * Timeouts: the route `timeout` spans all attempts and starts when the downstream request has been fully
 * received (Envoy); `per_try_timeout` bounds each attempt; `idle_timeout` fires when no byte moved either
 * way for that long (504 before response headers, reset after).
 *
 * gRPC deadlines, as Envoy: by default `grpc-timeout` is forwarded untouched and the route `timeout`
 * applies as to any request (the server enforces the deadline; a client that gives up resets its stream,
 * which cancels the upstream request). With the deprecated `max_grpc_timeout`, a gRPC request's route
 * timeout is its `grpc-timeout` (minus `grpc_timeout_offset`, capped by the maximum; 0 = none) and the
 * upstream gets the resulting `grpc-timeout`. With the route's `max_stream_duration` the route `timeout`
 * is not used; a stream duration timer starts with the request — `max_stream_duration`, or, when
 * `grpc_timeout_header_max` is set and the request has `grpc-timeout`, that value capped (0 = no cap) and
 * reduced by `grpc_timeout_header_offset` — the upstream gets it as `grpc-timeout`, and when it fires the
 * answer is 504 (request received) or 408 `downstream duration timeout`, for gRPC a trailers-only
 * DEADLINE_EXCEEDED; after response headers the stream is reset.
 *
 * Retries on gRPC status (`cancelled`, `deadline-exceeded`, `internal`, `resource-exhausted`,
 * `unavailable`) read `grpc-status` from the response headers, i.e. trailers-only answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import {
  NO_HEALTHY_UPSTREAM,
  OVERLOADED_HEADERS,
  UPSTREAM_OVERFLOW,
  UPSTREAM_REQUEST_TIMEOUT,
  sendLocalReply,
  textBody,
} from '../http/local-reply.js';
import { addResponseFlag, ResponseFlag } from '../http/stream-info.js';
import { formatGrpcTimeout, grpcStatusOfRaw, GrpcStatus, isGrpcContentType, parseGrpcTimeout } from '../http/grpc.js';
import { downstreamResponseHeaders } from '../http/hop-by-hop.js';
import { countUpstreamStatus, type ClusterStats } from '../stats.js';
import type { CircuitBreakers } from '../upstream/circuit-breakers.js';
import type { UpstreamHost } from '../upstream/host.js';
import { LocalFailure } from '../upstream/outlier/host-monitor.js';
import { beginUpstreamResponse, endUpstreamResponse, type HeldHeaders, responseCompleted } from '../upstream/http2/held-headers.js';
import { CONNECT_FAILURE_CODES, upstreamFailureBody } from '../upstream/upstream-failure.js';
import type { UpstreamCluster } from '../upstream/upstream-cluster.js';
import type { ForwardAction, StreamDuration } from './forward-action.js';
import type { FormatContext } from './formatter.js';
import type { HeaderMutation, HeaderObject } from './header-mutation.js';
import { appendGeneratedCookies } from './hash-policy.js';
import { sendShadow } from './mirror.js';
import { DEFAULT_BODY_BUFFER_LIMIT, replacedBody, RequestBody } from './request-body.js';
import { AttemptFailure, type RetryPolicy } from './retry-policy.js';

const STREAM_TIMEOUT = textBody('stream timeout');
const DURATION_TIMEOUT = textBody('downstream duration timeout');

/** Error codes that mean the connection to the upstream could not be established (TLS handshakes included). */
export const CONNECT_FAILURES: ReadonlySet<string> = CONNECT_FAILURE_CODES;

class Attempt implements Dispatcher.DispatchHandler {
  abort: ((err?: Error) => void) | null = null;
  aborted = false;
  perTryTimer: NodeJS.Timeout | null = null;
  /** The cluster's circuit breakers while this attempt holds a request slot. */
  breakers: CircuitBreakers | null = null;

  /** Counted in the host's `activeRequests` until the attempt ends. */
  private active = true;

  constructor(
    private readonly owner: RouterRequest,
    readonly host: UpstreamHost,
  ) {
    host.activeRequests++;
  }

  /** The attempt is over (completed, failed or cancelled): it stops counting as active and gives its request slot back (idempotent). */
  release(): void {
    if (this.active) {
      this.active = false;
      this.host.activeRequests--;
    }
    if (this.breakers !== null) {
      this.breakers.releaseRequest();
      this.breakers = null;
    }
  }

  cancel(reason: string): void {
    this.release();
    this.aborted = true;
    if (this.perTryTimer !== null) {
      clearTimeout(this.perTryTimer);
      this.perTryTimer = null;
    }
    this.abort?.(new Error(reason));
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.aborted) abort(new Error('attempt cancelled'));
    else this.abort = abort;
  }
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.aborted) return false;
    return this.owner.attemptHeaders(this, statusCode, rawHeaders, resume);
  }
  onData(chunk: Buffer): boolean {
    if (this.aborted) return true;
    return this.owner.attemptData(chunk);
  }
  onComplete(trailers: readonly (Buffer | string)[] | null): void {
    this.release();
    if (!this.aborted) this.owner.attemptComplete(this, trailers);
  }
  onError(err: Error): void {
    this.release();
    if (!this.aborted) this.owner.attemptError(this, err);
  }
}

export class RouterRequest {
  private current: Attempt | null = null;
  private attempts = 0;
  private retries = 0;
  private done = false;
  private responseStarted = false;
  private resumeUpstream: (() => void) | null = null;
  private drainHooked = false;
  private globalTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private backOffTimer: NodeJS.Timeout | null = null;
  /** `max_stream_duration` (or its gRPC form) for this request. */
  private durationTimer: NodeJS.Timeout | null = null;
  /** The route timeout for this request (a gRPC request's may come from `grpc-timeout`). */
  private timeoutMs: number;
  /** This request holds one of the cluster's retry slots (from a retry decision to its outcome). */
  private holdsRetry = false;
  /** HTTP/2 downstream: response headers not written yet (see held-headers.ts). */
  private held: HeldHeaders | null = null;
  private readonly body: RequestBody | null;
  private readonly policy: RetryPolicy | null;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly action: ForwardAction,
    private readonly cluster: UpstreamCluster | null,
    private readonly path: string,
    private readonly headers: HeaderObject,
    private readonly responseHeaders: HeaderMutation | null,
    private readonly stats: ClusterStats,
    timeoutMs: number,
    hasBody: boolean,
    bodyLimit: number,
  ) {
    this.timeoutMs = timeoutMs;
    this.policy = action.retryPolicy;
    const record = this.policy !== null && this.policy.numRetries > 0;
    // The router reads the body itself when it may replay it, tee it to mirrors, or watch it for idleness.
    this.body = hasBody && (record || action.mirrors !== null || action.idleTimeoutMs > 0) ? new RequestBody(req, bodyLimit, record) : null;
  }

  start(host: UpstreamHost): void {
    const req = this.req;
    this.res.on('close', () => this.downstreamClosed());
    if (this.action.streamDuration !== null) this.startStreamDuration(this.action.streamDuration);
    else if (this.action.maxGrpcTimeoutMs >= 0 && isGrpcContentType(req.headers['content-type'])) this.applyMaxGrpcTimeout();
    if (this.action.idleTimeoutMs > 0) {
      this.idleTimer = setTimeout(() => this.idleTimedOut(), this.action.idleTimeoutMs);
      if (this.body !== null) this.body.onChunk = () => this.touch();
    }
    if (this.timeoutMs > 0) {
      // Envoy starts the route timeout once the downstream request is complete.
      if (!hasRequestBody(req) || req.complete) this.startGlobalTimer();
      else req.once('end', () => this.startGlobalTimer());
    }
    const mirrors = this.action.mirrors;
    if (mirrors !== null) {
      for (const m of mirrors) {
        const copy = this.body === null ? null : this.body.mirror();
        if (this.body !== null && copy === null) continue;
        sendShadow(m, req.method ?? 'GET', this.path, this.headers, copy);
      }
    }
    this.startAttempt(host);
  }

  /** Envoy's `refreshDurationTimeout` for a route with `max_stream_duration`. */
  private startStreamDuration(d: StreamDuration): void {
    const grpcTimeout = parseGrpcTimeout(this.req.headers['grpc-timeout']);
    let ms: number;
    if (grpcTimeout === null || d.headerMaxMs === null) {
      // The HCM's max_stream_duration (the fallback when the route sets none) is not enforced here.
      if (d.maxMs === null || d.maxMs === 0) return;
      ms = d.maxMs;
    } else {
      ms = grpcTimeout;
      if (d.headerMaxMs !== 0 && ms > d.headerMaxMs) ms = d.headerMaxMs;
      if (ms !== 0 && d.headerOffsetMs !== null) ms = d.headerOffsetMs < ms ? ms - d.headerOffsetMs : 0;
    }
    if (isGrpcContentType(this.req.headers['content-type'])) this.headers['grpc-timeout'] = formatGrpcTimeout(ms);
    this.durationTimer = setTimeout(() => this.durationReached(), ms);
  }

  /** Envoy's `finalTimeout` with `max_grpc_timeout` for a gRPC request. */
  private applyMaxGrpcTimeout(): void {
    const max = this.action.maxGrpcTimeoutMs;
    let t = parseGrpcTimeout(this.req.headers['grpc-timeout']) ?? 0;
    const offset = this.action.grpcTimeoutOffsetMs;
    if (offset > 0 && offset < t) t -= offset;
    if (max !== 0 && (t === 0 || t > max)) t = max;
    this.timeoutMs = t;
    const perTry = this.policy?.perTryTimeoutMs ?? 0;
    let expected = perTry > 0 && (t === 0 || perTry < t) ? perTry : t;
    if (t > 0) expected = Math.min(expected, t);
    if (expected > 0) this.headers['grpc-timeout'] = formatGrpcTimeout(expected);
  }

  /** The stream duration timer fired (Envoy's `onStreamMaxDurationReached`). */
  private durationReached(): void {
    this.durationTimer = null;
    if (this.done) return;
    this.current?.cancel('max stream duration reached');
    if (this.responseStarted) {
      this.finish();
      this.res.destroy();
      return;
    }
    // 504 once the request was received in full, else 408; gRPC requests get DEADLINE_EXCEEDED.
    this.finish();
    sendLocalReply(this.res, this.req.complete ? 504 : 408, DURATION_TIMEOUT, null, null, GrpcStatus.DEADLINE_EXCEEDED);
  }

  private startGlobalTimer(): void {
    if (this.done || this.globalTimer !== null) return;
    this.globalTimer = setTimeout(() => this.timedOut(false), this.timeoutMs);
  }

  private touch(): void {
    this.idleTimer?.refresh();
  }

  private startAttempt(host: UpstreamHost): void {
    const breakers = this.cluster === null ? null : this.cluster.circuitBreakers;
    if (breakers !== null && !breakers.tryAcquireRequest(this.stats)) {
      // Local circuit breaking is never retried (Envoy).
      this.current = null;
      this.stats.upstream_rq_5xx++;
      this.fail(503, UPSTREAM_OVERFLOW, OVERLOADED_HEADERS);
      return;
    }
    const a = new Attempt(this, host);
    a.breakers = breakers;
    this.current = a;
    this.attempts++;
    this.stats.upstream_rq_total++;
    const perTry = this.policy?.perTryTimeoutMs ?? 0;
    if (perTry > 0) a.perTryTimer = setTimeout(() => this.perTryTimedOut(a), perTry);
    let body: Dispatcher.DispatchOptions['body'] = null;
    // undici's core dispatch streams an async iterable body (its types only list streams).
    if (this.body !== null) body = this.body.attempt(a) as unknown as Readable;
    else if (hasRequestBody(this.req)) body = (replacedBody(this.req) as Readable | Buffer | undefined) ?? this.req;
    try {
      host.pool.dispatch(
        { path: this.path, method: this.req.method as Dispatcher.HttpMethod, headers: this.headers as Record<string, string | string[]>, body },
        a,
      );
    } catch (err) {
      a.onError(err as Error);
    }
  }

  /**
   * A retry is possible now (budget left, body replayable, nothing sent downstream, a retry slot of the
   * cluster's circuit breakers free); true takes the slot.
   */
  private canRetry(): boolean {
    const p = this.policy;
    if (p === null || this.done || this.responseStarted || this.retries >= p.numRetries) return false;
    const replayable = this.body !== null ? !this.body.overflowed : !hasRequestBody(this.req);
    return replayable && this.takeRetrySlot();
  }

  private takeRetrySlot(): boolean {
    this.releaseRetrySlot();
    const breakers = this.cluster === null ? null : this.cluster.circuitBreakers;
    if (breakers === null) return true;
    if (breakers.tryAcquireRetry(this.stats)) {
      this.holdsRetry = true;
      return true;
    }
    addResponseFlag(this.res, ResponseFlag.UpstreamOverflow);
    return false;
  }

  private releaseRetrySlot(): void {
    if (this.holdsRetry) {
      this.holdsRetry = false;
      this.cluster?.circuitBreakers.releaseRetry();
    }
  }

  private retry(failed: Attempt): void {
    failed.cancel('retrying');
    this.current = null;
    this.retries++;
    this.stats.upstream_rq_retry++;
    const wait = this.policy!.backOffMs(this.retries - 1);
    this.backOffTimer = setTimeout(() => {
      this.backOffTimer = null;
      if (this.done) return;
      const host = this.cluster !== null ? this.action.pickHost(this.cluster, this.req, this.res) : failed.host;
      if (host === null) {
        this.stats.upstream_cx_none_healthy++;
        this.fail(503, NO_HEALTHY_UPSTREAM);
        return;
      }
      this.startAttempt(host);
    }, wait);
  }

  attemptHeaders(a: Attempt, statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.done || a !== this.current) return false;
    if (statusCode < 200) return true; // informational: not forwarded
    a.host.monitor.onHttpStatus(statusCode);
    const p = this.policy;
    if (p !== null && (p.retriesStatus(statusCode) || (p.retriesGrpc && p.retriesGrpcStatus(grpcStatusOfRaw(rawHeaders)))) && this.canRetry()) {
      countUpstreamStatus(this.stats, statusCode);
      this.retry(a);
      return false;
    }
    this.touch();
    this.releaseRetrySlot();
    this.resumeUpstream = resume;
    countUpstreamStatus(this.stats, statusCode);
    let list = downstreamResponseHeaders(rawHeaders);
    if (this.responseHeaders !== null) {
      list = this.responseHeaders.applyToList(list, this.responseHeaders.hasDynamic ? formatContext(this.req, a.host) : undefined);
    }
    appendGeneratedCookies(this.res, list);
    const held = beginUpstreamResponse(this.res, statusCode, list, this);
    if (held === undefined) return false;
    this.held = held;
    this.responseStarted = true;
    return true;
  }

  invalidResponseHeaders(): void {
    this.current?.cancel('invalid upstream response headers');
    this.finish();
    sendLocalReply(this.res, 502, null);
  }

  attemptData(chunk: Buffer): boolean {
    if (this.done) return true;
    this.touch();
    const held = this.held;
    if (held !== null) {
      this.held = null;
      if (!held.flush()) {
        this.invalidResponseHeaders();
        return true;
      }
    }
    if (this.res.write(chunk)) return true;
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.res.on('drain', () => {
        const r = this.resumeUpstream;
        if (!this.done && r !== null) r();
      });
    }
    return false;
  }

  attemptComplete(a: Attempt, trailers: readonly (Buffer | string)[] | null = null): void {
    if (this.done || a !== this.current) return;
    if (this.retries > 0) this.stats.upstream_rq_retry_success++;
    const held = this.held;
    this.held = null;
    endUpstreamResponse(this.res, held, trailers, this);
  }

  attemptError(a: Attempt, err: Error): void {
    if (this.done || a !== this.current) return;
    if (this.res.writableEnded || this.res.destroyed) {
      // A filter answered while the body streamed (its read failed on purpose): nothing to retry or report.
      this.finish();
      return;
    }
    if (this.responseStarted) {
      this.finish();
      this.res.destroy();
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const connectFailure = CONNECT_FAILURES.has(code);
    a.host.monitor.onLocalFailure(code === 'UND_ERR_HEADERS_TIMEOUT' ? LocalFailure.Timeout : connectFailure ? LocalFailure.ConnectFailed : LocalFailure.Reset);
    if (connectFailure) this.stats.upstream_cx_connect_fail++;
    if (code === 'UND_ERR_HEADERS_TIMEOUT') this.stats.upstream_rq_timeout++;
    const failure = connectFailure ? AttemptFailure.ConnectFailure : AttemptFailure.Reset;
    if (this.policy !== null && this.policy.retriesFailure(failure) && this.canRetry()) {
      this.retry(a);
      return;
    }
    this.stats.upstream_rq_5xx++;
    if (code === 'UND_ERR_HEADERS_TIMEOUT') this.fail(504, UPSTREAM_REQUEST_TIMEOUT);
    else this.fail(503, upstreamFailureBody(err));
  }

  private perTryTimedOut(a: Attempt): void {
    a.perTryTimer = null;
    if (this.done || a !== this.current) return;
    this.stats.upstream_rq_per_try_timeout++;
    if (!this.responseStarted) a.host.monitor.onLocalFailure(LocalFailure.Timeout);
    if (this.responseStarted) {
      a.cancel('per-try timeout');
      this.finish();
      this.res.destroy();
      return;
    }
    if (this.policy!.retriesFailure(AttemptFailure.PerTryTimeout) && this.canRetry()) {
      this.retry(a);
      return;
    }
    a.cancel('per-try timeout');
    this.stats.upstream_rq_timeout++;
    this.stats.upstream_rq_5xx++;
    this.fail(504, UPSTREAM_REQUEST_TIMEOUT);
  }

  /** The route timeout (or, with `idle`, the stream idle timeout) fired. */
  private timedOut(idle: boolean): void {
    if (this.done) return;
    if (idle) this.idleTimer = null;
    else this.globalTimer = null;
    this.stats.upstream_rq_timeout++;
    if (!idle && !this.responseStarted) this.current?.host.monitor.onLocalFailure(LocalFailure.Timeout);
    this.current?.cancel(idle ? 'stream idle timeout' : 'upstream request timeout');
    if (this.responseStarted) {
      this.finish();
      this.res.destroy();
      return;
    }
    this.stats.upstream_rq_5xx++;
    this.fail(504, idle ? STREAM_TIMEOUT : UPSTREAM_REQUEST_TIMEOUT);
  }

  private idleTimedOut(): void {
    this.timedOut(true);
  }

  private fail(status: number, body: Parameters<typeof sendLocalReply>[2], extraHeaders: readonly string[] | null = null): void {
    this.finish();
    sendLocalReply(this.res, status, body, null, extraHeaders);
  }

  private downstreamClosed(): void {
    if (this.done || responseCompleted(this.res)) return;
    this.current?.cancel('downstream connection closed');
    this.finish();
  }

  finish(): void {
    this.done = true;
    if (this.held !== null) {
      this.held.cancel();
      this.held = null;
    }
    const a = this.current;
    if (a !== null) a.release();
    this.releaseRetrySlot();
    if (a !== null && a.perTryTimer !== null) {
      clearTimeout(a.perTryTimer);
      a.perTryTimer = null;
    }
    if (this.globalTimer !== null) clearTimeout(this.globalTimer);
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    if (this.backOffTimer !== null) clearTimeout(this.backOffTimer);
    if (this.durationTimer !== null) clearTimeout(this.durationTimer);
    this.globalTimer = this.idleTimer = this.backOffTimer = this.durationTimer = null;
    this.body?.abandon();
  }
}

/** The request carries a body (chunked or non-zero content-length). */
export function hasRequestBody(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const cl = h['content-length'];
  return cl !== undefined && cl !== '0';
}

/** Context for response-side formatters (`%UPSTREAM_REMOTE_ADDRESS%`). */
export function formatContext(req: IncomingMessage, host: UpstreamHost | null): FormatContext {
  return {
    headers: req.headers,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    socket: req.socket,
    upstreamAddress: host === null ? undefined : host.authority,
  };
}

export { DEFAULT_BODY_BUFFER_LIMIT };
