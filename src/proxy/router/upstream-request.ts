/**
 * The router's upstream request: forwards one downstream request to a chosen host over its undici
 * pool and streams the response back. It is an undici dispatch handler (the core callback API, so no
 * adapter sits in between): bodies stream both ways with backpressure — undici reads the request
 * body from the IncomingMessage as the upstream socket drains, and a full downstream socket pauses
 * the upstream read until `drain`.
 *
 * Failure handling follows Envoy: before response headers a failure becomes a local reply (503 with
 * Envoy's reset text, 504 `upstream request timeout`); after them the downstream response is reset.
 * A downstream close aborts the upstream request. No callback throws; nothing here can crash the process.
 *
 * Routes that configure retries, mirroring, an idle timeout or a header/regex host rewrite take the
 * router's full path (router-request.ts); this file keeps the plain forward lean. The route timeout
 * starts once the downstream request has been fully received, as in Envoy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { OVERLOADED_HEADERS, UPSTREAM_OVERFLOW, UPSTREAM_REQUEST_TIMEOUT, sendLocalReply } from '../http/local-reply.js';
import { downstreamResponseHeaders } from '../http/hop-by-hop.js';
import { countUpstreamStatus, type ClusterStats } from '../stats.js';
import type { CircuitBreakers } from '../upstream/circuit-breakers.js';
import { speaksHttp2 } from '../upstream/connection-pools.js';
import { beginUpstreamResponse, endUpstreamResponse, type HeldHeaders, responseCompleted } from '../upstream/http2/held-headers.js';
import type { UpstreamHost } from '../upstream/host.js';
import { LocalFailure } from '../upstream/outlier/host-monitor.js';
import { upstreamFailureBody } from '../upstream/upstream-failure.js';
import type { UpstreamCluster } from '../upstream/upstream-cluster.js';
import type { CompiledRoute } from './compiled-route.js';
import { appendGeneratedCookies } from './hash-policy.js';
import type { HeaderMutation, HeaderObject } from './header-mutation.js';
import { normalizeUrl } from './path-normalize.js';
import { kCluster, kRoute, type Routed } from './routed.js';
import { replacedBody } from './request-body.js';
import { CONNECT_FAILURES, DEFAULT_BODY_BUFFER_LIMIT, RouterRequest, formatContext, hasRequestBody } from './router-request.js';
import { forwardWithTrailers } from './trailer-request.js';

const kUpstreamRequest = Symbol('gloo.upstreamRequest');

interface TrackedResponse extends ServerResponse {
  [kUpstreamRequest]?: UpstreamRequest;
}

export class UpstreamRequest implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err?: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  timer: NodeJS.Timeout | null = null;
  /** The exchange is over (completed, failed, timed out or abandoned by the client). */
  private done = false;
  private responseStarted = false;
  private drainHooked = false;
  /** Set when the response header edits have `%VAR%` values (they read the request and the host). */
  formatFor: { req: IncomingMessage; host: UpstreamHost } | null = null;
  /** The host while the request counts in its `activeRequests` (least request balancing). */
  activeOn: UpstreamHost | null = null;
  /** The host the request went to: its monitor hears the outcome (outlier detection, per-host counters). */
  host: UpstreamHost | null = null;
  /** The cluster's circuit breakers while this request holds a request slot. */
  breakers: CircuitBreakers | null = null;
  /** HTTP/2 downstream: response headers not written yet (see held-headers.ts). */
  private held: HeldHeaders | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly responseHeaders: HeaderMutation | null,
    private readonly stats: ClusterStats,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    if (this.done) abort(new Error('downstream request ended before the upstream request started'));
    else this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.done) return false;
    if (statusCode < 200) return true; // informational (103…): not forwarded
    this.resumeUpstream = resume;
    this.host?.monitor.onHttpStatus(statusCode);
    countUpstreamStatus(this.stats, statusCode);
    let list = downstreamResponseHeaders(rawHeaders);
    if (this.responseHeaders !== null) {
      const f = this.formatFor;
      list = this.responseHeaders.applyToList(list, f === null ? undefined : formatContext(f.req, f.host));
    }
    appendGeneratedCookies(this.res, list);
    const held = beginUpstreamResponse(this.res, statusCode, list, this);
    if (held === undefined) return false;
    this.held = held;
    this.responseStarted = true;
    return true;
  }

  /** An upstream header node refuses to send: Envoy answers 502 for a malformed upstream response. */
  invalidResponseHeaders(): void {
    this.finish();
    this.abortUpstream?.(new Error('invalid upstream response headers'));
    sendLocalReply(this.res, 502, null);
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
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
      this.res.on('drain', onDownstreamDrain);
    }
    return false;
  }

  onComplete(trailers: readonly (Buffer | string)[] | null): void {
    if (this.done) return;
    const held = this.held;
    this.held = null;
    endUpstreamResponse(this.res, held, trailers, this);
  }

  onError(err: Error): void {
    if (this.done) return;
    this.finish();
    const res = this.res;
    if (res.destroyed || res.writableEnded) return;
    if (this.responseStarted) {
      res.destroy();
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? '';
    this.host?.monitor.onLocalFailure(
      code === 'UND_ERR_HEADERS_TIMEOUT' ? LocalFailure.Timeout : CONNECT_FAILURES.has(code) ? LocalFailure.ConnectFailed : LocalFailure.Reset,
    );
    this.stats.upstream_rq_5xx++;
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      this.stats.upstream_rq_timeout++;
      sendLocalReply(res, 504, UPSTREAM_REQUEST_TIMEOUT);
    } else {
      if (CONNECT_FAILURES.has(code)) this.stats.upstream_cx_connect_fail++;
      sendLocalReply(res, 503, upstreamFailureBody(err));
    }
  }

  /** The route timeout fired. */
  timedOut(): void {
    if (this.done) return;
    this.timer = null;
    this.finish();
    this.stats.upstream_rq_timeout++;
    this.abortUpstream?.(new Error('upstream request timeout'));
    if (this.responseStarted) {
      this.res.destroy();
    } else {
      this.host?.monitor.onLocalFailure(LocalFailure.Timeout);
      this.stats.upstream_rq_5xx++;
      sendLocalReply(this.res, 504, UPSTREAM_REQUEST_TIMEOUT);
    }
  }

  /** The downstream response closed: finished normally, or the client went away. */
  downstreamClosed(): void {
    if (this.done || responseCompleted(this.res)) return;
    this.finish();
    this.abortUpstream?.(new Error('downstream connection closed'));
  }

  downstreamDrained(): void {
    const resume = this.resumeUpstream;
    if (!this.done && resume !== null) resume();
  }

  get isDone(): boolean {
    return this.done;
  }

  finish(): void {
    this.done = true;
    if (this.activeOn !== null) {
      this.activeOn.activeRequests--;
      this.activeOn = null;
    }
    if (this.held !== null) {
      this.held.cancel();
      this.held = null;
    }
    if (this.breakers !== null) {
      this.breakers.releaseRequest();
      this.breakers = null;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

// Module-level listeners: `this` is the response, so no closure is allocated per request.
function onDownstreamClose(this: TrackedResponse): void {
  this[kUpstreamRequest]?.downstreamClosed();
}
function onDownstreamDrain(this: TrackedResponse): void {
  this[kUpstreamRequest]?.downstreamDrained();
}
function onRouteTimeout(u: UpstreamRequest): void {
  u.timedOut();
}

/**
 * What the router decided, for callers that pass it explicitly (the connection manager). When absent,
 * `forwardRequest` reads what `findRoute` / `selectCluster` recorded on the request.
 */
export interface RouterContext {
  route: CompiledRoute;
  /** The cluster the host came from: retries pick again through its load balancer. */
  cluster: UpstreamCluster | null;
  /** Retry/shadow body buffer limit (default 64 KiB, e.g. the listener's per-connection buffer limit). */
  bodyBufferLimit?: number;
}

function startRouteTimer(u: UpstreamRequest, timeoutMs: number): void {
  if (u.timer !== null || u.isDone) return;
  u.timer = setTimeout(onRouteTimeout, timeoutMs, u);
}

/**
 * Forwards `req` to `host` with the given target path and upstream headers, streaming the response
 * to `res`. `timeoutMs` 0 disables the route timeout.
 *
 * `ctx` (optional): the route and cluster. When it is passed, the caller has applied the request
 * header edits with a format context (`applyToObject(headers, req)`); when it is not, formatted
 * (`%VAR%`) request header values are rendered here.
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  host: UpstreamHost,
  path: string,
  headers: HeaderObject,
  responseHeaders: HeaderMutation | null,
  stats: ClusterStats,
  timeoutMs: number,
  ctx?: RouterContext,
): void {
  const normal = normalizeUrl(path);
  if (normal !== null) path = normal;
  const route = ctx !== undefined ? ctx.route : (req as Routed)[kRoute];
  if (route !== undefined && ctx === undefined && route.requestHeaders !== null && route.requestHeaders.hasDynamic) {
    route.requestHeaders.applyDynamicToObject(headers, req);
  }
  const action = route === undefined ? null : route.forward;
  if (req.headers.trailer !== undefined && req.headers['transfer-encoding'] !== undefined && replacedBody(req) === undefined && !speaksHttp2(host.pool)) {
    // Declared request trailers: undici cannot send them, node:http can (no retries or mirrors then).
    if (action !== null && action.needsRouter) action.rewriteHost(headers, req.headers, req.headers.host, downstreamPath(req));
    forwardWithTrailers(req, res, host, path, headers, responseHeaders, stats, timeoutMs);
    return;
  }
  if (action !== null && action.needsRouter) {
    action.rewriteHost(headers, req.headers, req.headers.host, downstreamPath(req));
    const cluster = ctx !== undefined ? ctx.cluster : ((req as Routed)[kCluster] ?? null);
    const limit = ctx?.bodyBufferLimit ?? DEFAULT_BODY_BUFFER_LIMIT;
    new RouterRequest(req, res, action, cluster, path, headers, responseHeaders, stats, timeoutMs, hasRequestBody(req), limit).start(host);
    return;
  }
  const breakers = (ctx !== undefined ? ctx.cluster : (req as Routed)[kCluster])?.circuitBreakers;
  if (breakers !== undefined && !breakers.tryAcquireRequest(stats)) {
    stats.upstream_rq_5xx++;
    sendLocalReply(res, 503, UPSTREAM_OVERFLOW, null, OVERLOADED_HEADERS);
    return;
  }
  const u = new UpstreamRequest(res, responseHeaders, stats);
  u.host = host;
  if (breakers !== undefined) u.breakers = breakers;
  if (responseHeaders !== null && responseHeaders.hasDynamic) u.formatFor = { req, host };
  (res as TrackedResponse)[kUpstreamRequest] = u;
  res.on('close', onDownstreamClose);
  stats.upstream_rq_total++;
  u.activeOn = host;
  host.activeRequests++;
  // undici's core dispatch streams an async iterable body (its types only list streams).
  const body = hasRequestBody(req) ? ((replacedBody(req) as Readable | Buffer | undefined) ?? req) : null;
  if (timeoutMs > 0) {
    // Envoy starts the route timeout once the downstream request has been fully received.
    if (body === null || req.complete) startRouteTimer(u, timeoutMs);
    else req.once('end', () => startRouteTimer(u, timeoutMs));
  }
  try {
    host.pool.dispatch({ path, method: req.method as Dispatcher.HttpMethod, headers: headers as Record<string, string | string[]>, body }, u);
  } catch (err) {
    u.onError(err as Error);
  }
}

/** The downstream request's normalised path, without the query (for host rewrites). */
function downstreamPath(req: IncomingMessage): string {
  const dsUrl = req.url ?? '/';
  const n = normalizeUrl(dsUrl) ?? dsUrl;
  const q = n.indexOf('?');
  return q === -1 ? n : n.slice(0, q);
}
