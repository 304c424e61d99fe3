/**
 * One request of a connection manager that needs per-request state (Envoy's ActiveStream): the
 * filter instances and the chain position, the stream info the access log reads, and the response
 * hook. Requests of a connection manager with no filters, no access log and no response header
 * edits never allocate one.
 *
 * Hooks, installed as own properties on the request and response objects (module-level functions
 * reading `this`, so nothing is allocated per request beyond this object):
 * - `res.writeHead`: runs the filters' encodeHeaders and the connection manager's response edits
 *   (`server`, `via`) on a private copy of the header list and records the headers for `RESP()`;
 * - `res.write` / `res.end` count BYTES_SENT and `req.push` BYTES_RECEIVED (body bytes, as Envoy), only
 *   with an access log;
 * - `res` 'close': DC flag when the response did not finish, access log, filters' onDestroy.
 */
import { ServerResponse, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CompiledRoute } from '../router/compiled-route.js';
import type { CompiledVirtualHost } from '../router/route-table.js';
import type { ConnectionManager } from './connection-manager.js';
import type { FilterCallbacks, StreamFilter } from './filter.js';
import { sendLocalReply, type LocalBody } from './local-reply.js';
import { kStreamInfo, ResponseFlag, type StreamInfo } from './stream-info.js';

const kStream = Symbol('gloo.activeStream');

interface HookedResponse extends ServerResponse {
  [kStream]?: ActiveStream;
}
interface HookedRequest extends IncomingMessage {
  [kStream]?: ActiveStream;
}

// The hooks call the prototype's method (ServerResponse, or Http2ServerResponse for h2c requests).
type Proto<T> = { [K in keyof T]: T[K] };
function protoOf<T extends object>(o: T): Proto<T> {
  return Object.getPrototypeOf(o) as Proto<T>;
}

export class ActiveStream implements FilterCallbacks, StreamInfo {
  // filter chain state
  filters: (StreamFilter | null)[] | null = null;
  next = 0;
  /** A filter answered locally. */
  replied = false;
  /** The chain finished and the router ran. */
  decoded = false;

  // stream info
  readonly startTime = Date.now();
  readonly startHr = performance.now();
  requestEndHr = -1;
  responseStartHr = -1;
  endHr = -1;
  responseHeaders: readonly string[] | null = null;
  responseFlags = 0;
  bytesReceived = 0;
  bytesSent = 0;
  upstreamHost: string | null = null;
  upstreamCluster: string | null = null;
  upstreamTransportFailureReason: string | null = null;
  routeName: string | null;
  healthCheck = false;

  constructor(
    private readonly cm: ConnectionManager,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly draining: boolean,
    readonly vhost: CompiledVirtualHost | null,
    readonly route: CompiledRoute | null,
    readonly url: string,
    readonly path: string,
    readonly queryAt: number,
  ) {
    this.routeName = route === null || route.name === '' ? null : route.name;
  }

  /** Installs the hooks the connection manager needs on this request. */
  attach(hookHeaders: boolean, countBytes: boolean): void {
    const res = this.res as HookedResponse;
    const req = this.req as HookedRequest;
    res[kStream] = this;
    (res as unknown as Record<symbol, StreamInfo>)[kStreamInfo] = this;
    if (hookHeaders) res.writeHead = hookedWriteHead as ServerResponse['writeHead'];
    if (countBytes) {
      req[kStream] = this;
      res.write = countingWrite as ServerResponse['write'];
      res.end = countingEnd as ServerResponse['end'];
      req.push = countingPush;
      const h = req.headers;
      // A request without a body is complete with its headers (its 'end' only comes when node dumps it).
      if (req.complete || (h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0'))) {
        this.requestEndHr = this.startHr;
      } else req.once('end', onRequestEnd);
    }
    res.once('close', onResponseClose);
  }

  continueDecoding(): void {
    if (this.replied || this.decoded || this.res.writableEnded || this.res.destroyed) return;
    this.cm.resume(this);
  }

  sendLocalReply(status: number, body: LocalBody | null, extraHeaders: readonly string[] | null = null): void {
    this.replied = true;
    sendLocalReply(this.res, status, body, null, extraHeaders);
  }

  markHealthCheck(): void {
    this.healthCheck = true;
    this.cm.stats.health_check_requests++;
  }

  addResponseFlag(flag: number): void {
    this.responseFlags |= flag;
  }

  decodeComplete(): void {
    this.decoded = true;
    this.cm.dispatch(this.req, this.res, this.route, this.url, this.path, this.queryAt, this);
  }

  /** The response headers are about to be written: filters and connection-manager edits. */
  onResponseHeaders(status: number, headers: string[]): string[] {
    this.responseStartHr = performance.now();
    const fs = this.filters;
    if (fs !== null) {
      for (let i = fs.length - 1; i >= 0; i--) {
        const f = fs[i];
        if (f != null && f.encodeHeaders !== undefined) f.encodeHeaders(status, headers);
      }
    }
    this.cm.editResponseHeaders(headers);
    this.responseHeaders = headers;
    return headers;
  }

  closed(): void {
    this.endHr = performance.now();
    const res = this.res;
    if (!res.writableFinished) this.responseFlags |= ResponseFlag.DownstreamConnectionTermination;
    const fs = this.filters;
    if (fs !== null) {
      for (const f of fs) {
        if (f == null || f.onDestroy === undefined) continue;
        try {
          f.onDestroy();
        } catch {
          // a filter's cleanup must not stop the others
        }
      }
    }
    this.cm.logAccess(this);
  }
}

function flatten(h: unknown): string[] {
  if (h === undefined || h === null) return [];
  if (Array.isArray(h)) {
    if (h.length > 0 && Array.isArray(h[0])) return (h as [string, string][]).flat();
    return (h as string[]).slice();
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
    if (Array.isArray(v)) for (const x of v) out.push(k, String(x));
    else if (v !== undefined) out.push(k, String(v));
  }
  return out;
}

function hookedWriteHead(this: HookedResponse, status: number, a?: unknown, b?: unknown): ServerResponse {
  const s = this[kStream];
  const msg = typeof a === 'string' ? a : undefined;
  let headers = msg === undefined ? a : b;
  if (s !== undefined && !this.headersSent) {
    // A private copy: callers pass shared, precomputed lists. Headers set with setHeader are not seen.
    const list = flatten(headers);
    headers = s.onResponseHeaders(status, list);
  }
  const wh = protoOf(this).writeHead as (this: ServerResponse, ...a: unknown[]) => ServerResponse;
  return msg === undefined ? wh.call(this, status, headers) : wh.call(this, status, msg, headers);
}

function byteLength(chunk: unknown, enc: unknown): number {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8');
  return (chunk as Uint8Array).byteLength ?? 0;
}

function countingWrite(this: HookedResponse, chunk: unknown, ...rest: unknown[]): boolean {
  const s = this[kStream];
  if (s !== undefined && !this.writableEnded) s.bytesSent += byteLength(chunk, rest[0]);
  return (protoOf(this).write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
}

function countingEnd(this: HookedResponse, chunk?: unknown, ...rest: unknown[]): ServerResponse {
  const s = this[kStream];
  if (s !== undefined && !this.writableEnded) s.bytesSent += byteLength(chunk, rest[0]);
  return (protoOf(this).end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
}

function countingPush(this: HookedRequest, chunk: unknown, enc?: BufferEncoding): boolean {
  const s = this[kStream];
  if (s !== undefined && chunk !== null) s.bytesReceived += byteLength(chunk, enc);
  return protoOf(this).push.call(this, chunk, enc);
}

function onRequestEnd(this: HookedRequest): void {
  const s = this[kStream];
  if (s !== undefined) s.requestEndHr = performance.now();
}

function onResponseClose(this: HookedResponse): void {
  this[kStream]?.closed();
}
