/**
 * Envoy's HTTP filter contract (envoyproxy/envoy `envoy/http/filter.h`, STYLE 6), reduced to what
 * the data plane needs today: a factory is built once per config from an HCM `http_filters[]` entry;
 * per request it makes a cheap instance (or null: nothing to do for this request) whose
 * `decodeHeaders` returns Continue or StopIteration. A stopped chain resumes with
 * `callbacks.continueDecoding()`; any filter may answer with `callbacks.sendLocalReply(…)`, which ends
 * the chain. `encodeHeaders` sees (and may edit) the response status and header list before it is
 * written, for upstream responses and local replies alike. `onDestroy` runs once when the downstream
 * response closes (finished or reset).
 *
 * Bodies, Envoy's StopIterationAndBuffer + decodeData/encodeData reduced to whole bodies (what the
 * buffer, transformation and gRPC-web filters need): a filter with `decodeBody` gets the complete
 * request body once its decodeHeaders returned Continue — the chain waits while the body is read
 * (at most `BODY_BUFFER_LIMIT`, else 413) — and may return a replacement (the router then sends it
 * with a matching content-length). A filter with `encodeBody` makes the stream buffer the whole
 * response (at most the limit, else 500): its encodeHeaders and encodeBody then run, last filter
 * first, on the buffered status, headers and body before anything is written. Requests whose
 * filters define neither stream untouched.
 *
 * Streaming bodies (Envoy's decodeData / encodeData / encodeTrailers, for filters that must not
 * buffer — gRPC-Web converts a server-streaming response message by message):
 * - `decodeData(chunk, end)` sees the request body as it arrives, after every filter ran its
 *   decodeHeaders (the router does not wait): the router sends what it returns (null or empty: nothing
 *   for now; `end` is true once, on the last call, with whatever the filter still holds). A filter
 *   that answers with `cb.sendLocalReply` there ends the exchange (the upstream request is cancelled).
 *   Several decoders apply in chain order; a whole-body `decodeBody` after them gets their output.
 * - `encodeData(chunk, end)` sees each response body chunk before it is written, last filter first,
 *   and returns the bytes to write (null: none now); `end` is true once, on the last call, unless the
 *   response has trailers. `encodeTrailers(trailers)` gets the response trailers (a mutable object:
 *   deleting fields drops them) and may return bytes to write before the end.
 * - `encodeHeaders` may return StopIteration to hold the response headers (every filter's
 *   encodeHeaders has run): they go out, with the holder's later edits to the same list, right before
 *   the first body bytes the filters let through, or at the end. `endStream` is true when the
 *   response is known to end with its headers (HTTP/2 headers-only answers such as gRPC trailers-only).
 * Only instances that define these hooks install the streaming path; a request whose filters define
 * none pays nothing. With a response-buffering filter (`encodeBody`) on the same request, the streaming
 * hooks get the whole buffered body as one chunk instead.
 *
 * Per-route config comes from `typed_per_filter_config` by filter name, most specific first
 * (route > virtual host; weighted-cluster entries need the router's pick and are not read yet) and is
 * compiled once per route by `compilePerRoute`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypedConfig } from '../../xds/envoy-types.js';
import type { Logger } from '../logger.js';
import type { CompiledRoute } from '../router/compiled-route.js';
import type { ProxyStats } from '../stats.js';
import type { LocalBody } from './local-reply.js';

export const enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

/** What a filter instance can see and do on its request. */
export interface FilterCallbacks {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The selected route (null: no route matched; the router will answer 404). */
  readonly route: CompiledRoute | null;
  /** True while the proxy or this listener drains (health checks answer 503). */
  readonly draining: boolean;
  /** Resumes a chain a filter stopped. */
  continueDecoding(): void;
  /** Answers the request from the proxy; the chain stops. */
  sendLocalReply(status: number, body: LocalBody | null, extraHeaders?: readonly string[] | null): void;
  /** Marks the request as a health check (access-log `not_health_check_filter`). */
  markHealthCheck(): void;
  /** Sets a response flag (stream-info.ts ResponseFlag) for `%RESPONSE_FLAGS%`. */
  addResponseFlag(flag: number): void;
  /**
   * The filter rewrote the request's `:path` or `:authority` (`req.url`, `req.headers.host`): the
   * router forwards the new target; with `reselect` the route is selected again and the filters not
   * yet run are re-created for it (Envoy's clearRouteCache).
   */
  requestRewritten?(reselect: boolean): void;
}

/** A buffered response that `encodeBody` filters may edit in place before it is written. */
export interface BufferedResponse {
  status: number;
  /** `[name, value, …]`, lower-case names. */
  headers: string[];
  body: Buffer;
}

/** Bodies larger than this are not buffered: 413 for requests, 500 for responses (Envoy's 1 MiB default buffer). */
export const BODY_BUFFER_LIMIT = 1024 * 1024;

export interface StreamFilter {
  /** A filter that also defines `decodeBody` must return Continue here. */
  decodeHeaders?(cb: FilterCallbacks): FilterStatus;
  /** A request body chunk as it streams (`end`: the last call); returns the bytes to send upstream (null: none now). */
  decodeData?(chunk: Buffer, end: boolean): Buffer | null;
  /**
   * The whole request body (empty when there is none). Returns a replacement body, or undefined to
   * keep it; may edit `cb.req.headers` or answer with `cb.sendLocalReply`.
   */
  decodeBody?(body: Buffer, cb: FilterCallbacks): Buffer | undefined;
  /** The most request body bytes `decodeBody` accepts (default BODY_BUFFER_LIMIT); past it, 413. */
  readonly maxRequestBytes?: number;
  /** The whole response, buffered: edit status, headers and body in place. Runs after this filter's encodeHeaders. */
  encodeBody?(response: BufferedResponse): void;
  /**
   * May edit `headers` (a private copy, `[name, value, …]`) in place. Returning StopIteration holds them
   * (streaming filters only; see above); `endStream`: the response is known to end with its headers.
   */
  encodeHeaders?(status: number, headers: string[], endStream?: boolean): FilterStatus | void;
  /** A response body chunk before it is written (`end`: the last call when there are no trailers); returns the bytes to write (null: none now). */
  encodeData?(chunk: Buffer, end: boolean): Buffer | null;
  /** The response trailers (delete fields to drop them); may return bytes to write before the end. */
  encodeTrailers?(trailers: Record<string, string | string[]>): Buffer | null;
  onDestroy?(): void;
}

export interface FilterFactory<R = unknown> {
  /** The `http_filters[].name`, the key of `typed_per_filter_config`. */
  readonly name: string;
  /** True when some instance may define encodeHeaders or encodeBody (so the response hook is installed). */
  readonly encodes: boolean;
  /** A per-request instance, or null when the filter has nothing to do for this request. */
  create(perRoute: R | undefined, cb: FilterCallbacks): StreamFilter | null;
  /**
   * A cheap test on the request alone: false means `create` returns null for this request whatever
   * the route. When every filter of a chain has one and none applies, the request skips the chain (no
   * per-request state at all) — how gRPC-Web, on by default, costs plain HTTP traffic one header check.
   */
  appliesTo?(req: IncomingMessage): boolean;
  /** Compiles a route's or virtual host's typed_per_filter_config entry; throws when it is invalid. */
  compilePerRoute?(typed: TypedConfig): R;
}

export interface FilterBuildContext {
  stats: ProxyStats;
  logger: Logger;
}

/** Builds a factory from the filter's `typed_config`; throws when the config is invalid. */
export type FilterFactoryBuilder = (typedConfig: TypedConfig, ctx: FilterBuildContext) => FilterFactory;
