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
 * - with a filter that reads the response body (`encodeBody`), `res.writeHead` / `write` / `end` buffer
 *   the response instead (bufferingWrite / bufferingEnd) and `flushResponse` writes it once the filters
 *   ran; with one that reads the request body (`decodeBody`), `withRequestBody` reads it whole first.
 */
import { ServerResponse, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CompiledRoute } from '../router/compiled-route.js';
import type { CompiledVirtualHost } from '../router/route-table.js';
import type { ConnectionManager } from './connection-manager.js';
import { kBufferedBody } from '../router/request-body.js';
import { BODY_BUFFER_LIMIT, type BufferedResponse, type FilterCallbacks, type StreamFilter } from './filter.js';
import { sendLocalReply, textBody, type LocalBody } from './local-reply.js';
import { kStreamInfo, ResponseFlag, StreamInfoRecord, type StreamInfo } from './stream-info.js';

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

const PAYLOAD_TOO_LARGE = textBody('Payload Too Large');
const RESPONSE_TOO_LARGE = 'Internal Server Error';

/** A response being buffered for `encodeBody` filters. */
interface ResponseBuffer {
  status: number;
  headers: string[];
  chunks: Buffer[];
  size: number;
}

export class ActiveStream extends StreamInfoRecord implements FilterCallbacks {
  /** The request body once a `decodeBody` filter had it read (and maybe replaced), else null. */
  requestBody: Buffer | null = null;
  /**
   * Response buffering for `encodeBody` filters: undefined = not buffering; null = buffering, no
   * headers yet; a buffer = collecting; 'done' = written (or given up on), later writes are dropped.
   */
  response: ResponseBuffer | null | 'done' | undefined = undefined;
  // filter chain state
  filters: (StreamFilter | null)[] | null = null;
  next = 0;
  /** A filter answered locally. */
  replied = false;
  /** The chain finished and the router ran. */
  decoded = false;

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
    super();
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

  requestRewritten(reselect: boolean): void {
    this.cm.requestRewritten(this, reselect);
  }

  /** Reads the whole request body for filter `f`'s decodeBody, then resumes the chain (413 past the limit). */
  withRequestBody(f: StreamFilter): void {
    if (this.requestBody !== null) {
      this.bodyDecoded(f, this.requestBody);
      return;
    }
    const req = this.req;
    const h = req.headers;
    if (h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0')) {
      this.bodyDecoded(f, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = f.maxRequestBytes ?? BODY_BUFFER_LIMIT;
    const declared = Number(h['content-length'] ?? 0);
    if (declared > limit) {
      this.sendLocalReply(413, PAYLOAD_TOO_LARGE);
      return;
    }
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        cleanup();
        this.sendLocalReply(413, PAYLOAD_TOO_LARGE);
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => {
      cleanup();
      this.bodyDecoded(f, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAbort = (): void => cleanup();
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      this.res.off('close', onAbort);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAbort);
    this.res.once('close', onAbort);
  }

  private bodyDecoded(f: StreamFilter, body: Buffer): void {
    if (this.replied || this.res.writableEnded || this.res.destroyed) return;
    let out: Buffer | undefined;
    try {
      out = f.decodeBody!(body, this);
    } catch (err) {
      this.cm.logFilterError(err);
      this.sendLocalReply(500, null);
      return;
    }
    if (this.replied) return;
    const b = out ?? body;
    this.requestBody = b;
    // The router sends this buffer (the IncomingMessage has been read), with a matching length.
    const req = this.req as IncomingMessage & { [kBufferedBody]?: Buffer };
    req[kBufferedBody] = b;
    const h = req.headers;
    delete h['transfer-encoding'];
    if (b.length > 0 || h['content-length'] !== undefined) h['content-length'] = String(b.length);
    this.continueDecoding();
  }

  /** Buffer the whole response for the `encodeBody` filters (installed before any header is written). */
  bufferResponse(): void {
    if (this.response !== undefined) return;
    this.response = null;
    const res = this.res as HookedResponse;
    res[kStream] = this;
    res.writeHead = hookedWriteHead as ServerResponse['writeHead'];
    res.write = bufferingWrite as ServerResponse['write'];
    res.end = bufferingEnd as ServerResponse['end'];
  }

  /** Headers arrive while buffering: remembered (a second writeHead — a local reply — starts over). */
  deferHeaders(status: number, headers: string[]): void {
    this.response = { status, headers, chunks: [], size: 0 };
  }

  /** A body chunk while buffering; false when the response went past the limit (answered 500). */
  collect(chunk: unknown, enc: unknown): void {
    const r = this.response;
    if (typeof r !== 'object' || r === null || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const b = typeof chunk === 'string' ? Buffer.from(chunk, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array);
    r.size += b.length;
    if (r.size > BODY_BUFFER_LIMIT) {
      this.response = 'done';
      this.writeRaw(500, ['content-type', 'text/plain', 'content-length', String(RESPONSE_TOO_LARGE.length)], Buffer.from(RESPONSE_TOO_LARGE));
      return;
    }
    r.chunks.push(b);
  }

  /** The buffered response is complete: encode filters (last first), connection-manager edits, write. */
  flushResponse(): void {
    const r = this.response;
    if (typeof r !== 'object' || r === null) return;
    this.response = 'done';
    const resp: BufferedResponse = { status: r.status, headers: r.headers, body: r.chunks.length === 1 ? r.chunks[0]! : Buffer.concat(r.chunks, r.size) };
    const fs = this.filters;
    if (fs !== null) {
      for (let i = fs.length - 1; i >= 0; i--) {
        const f = fs[i];
        if (f == null) continue;
        try {
          if (f.encodeHeaders !== undefined) f.encodeHeaders(resp.status, resp.headers);
          if (f.encodeBody !== undefined) f.encodeBody(resp);
        } catch (err) {
          this.cm.logFilterError(err);
          resp.status = 500;
          resp.headers = ['content-type', 'text/plain'];
          resp.body = Buffer.from(RESPONSE_TOO_LARGE);
          break;
        }
      }
    }
    this.responseStartHr = performance.now();
    this.cm.editResponseHeaders(resp.headers);
    const out: string[] = [];
    const hs = resp.headers;
    for (let i = 0; i < hs.length; i += 2) {
      const k = hs[i]!.toLowerCase();
      if (k !== 'content-length' && k !== 'transfer-encoding') out.push(hs[i]!, hs[i + 1]!);
    }
    const bodyless = resp.status === 204 || resp.status === 304 || this.req.method === 'HEAD';
    if (!bodyless) out.push('content-length', String(resp.body.length));
    this.responseHeaders = out;
    this.writeRaw(resp.status, out, bodyless ? null : resp.body);
  }

  private writeRaw(status: number, headers: string[], body: Buffer | null): void {
    const res = this.res;
    const p = protoOf(res);
    (p.writeHead as (this: ServerResponse, s: number, h: string[]) => ServerResponse).call(res, status, headers);
    if (body !== null) this.bytesSent += body.length;
    (p.end as (this: ServerResponse, b?: Buffer) => ServerResponse).call(res, body ?? undefined);
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
  if (s !== undefined && s.response !== undefined && s.response !== 'done' && !this.headersSent) {
    s.deferHeaders(status, flatten(headers));
    return this;
  }
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

function bufferingWrite(this: HookedResponse, chunk: unknown, enc?: unknown, cb?: unknown): boolean {
  const s = this[kStream]!;
  if (s.response === 'done') return true;
  if (s.response === null) this.writeHead(this.statusCode);
  s.collect(chunk, enc);
  const done = typeof enc === 'function' ? enc : cb;
  if (typeof done === 'function') process.nextTick(done as () => void);
  return true;
}

function bufferingEnd(this: HookedResponse, chunk?: unknown, enc?: unknown, cb?: unknown): ServerResponse {
  const s = this[kStream]!;
  if (s.response === 'done') return this;
  if (s.response === null) this.writeHead(this.statusCode);
  if (typeof chunk !== 'function') s.collect(chunk, enc);
  s.flushResponse();
  const done = typeof chunk === 'function' ? chunk : typeof enc === 'function' ? enc : cb;
  if (typeof done === 'function') this.once('finish', done as () => void);
  return this;
}

function onRequestEnd(this: HookedRequest): void {
  const s = this[kStream];
  if (s !== undefined) s.requestEndHr = performance.now();
}

function onResponseClose(this: HookedResponse): void {
  this[kStream]?.closed();
}
