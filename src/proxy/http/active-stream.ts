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
 * - with a filter that streams the response body (`encodeData` / `encodeTrailers`), `res.write` / `end` /
 *   `addTrailers` pass each chunk and the trailers through those hooks (streamingWrite / streamingEnd /
 *   capturingAddTrailers) and write what they return; headers an encodeHeaders held wait for the first
 *   bytes written or the end.
 * - with a filter that streams the request body (`decodeData`), the router sends `decodedBody(this)`, an
 *   async generator that reads the IncomingMessage and passes each chunk through the decoders (undici
 *   pulls it, so backpressure reaches the client).
 */
import { ServerResponse, IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CompiledRoute } from '../router/compiled-route.js';
import type { CompiledVirtualHost } from '../router/route-table.js';
import { endWithHeaders, isHttp2Response, responseCompleted } from '../upstream/http2/held-headers.js';
import type { ConnectionManager } from './connection-manager.js';
import { kBodyStream, kBufferedBody } from '../router/request-body.js';
import { BODY_BUFFER_LIMIT, FilterStatus, type BufferedResponse, type FilterCallbacks, type StreamFilter } from './filter.js';
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
const EMPTY = Buffer.alloc(0);

type Trailers = Record<string, string | string[]>;

/** Thrown into the router's body read when a streaming decoder answered the request itself. */
class RequestBodyRejected extends Error {
  readonly code = 'GLOO_REQUEST_BODY_REJECTED';
  constructor() {
    super('a filter answered the request while its body streamed');
  }
}

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
  /** Streaming request-body filters (`decodeData`) in chain order, not yet applied to a buffered body. */
  decoders: StreamFilter[] | null = null;
  /** Streaming response hooks (`encodeData` / `encodeTrailers`) are installed. */
  private streaming = false;
  /** The response headers reached writeHead (written, or held). */
  private headSeen = false;
  /** Headers an encodeHeaders held (StopIteration): written before the first body bytes or at the end. */
  private held: { status: number; headers: string[] } | null = null;
  /** Trailers the response ends with, collected from `addTrailers` while streaming or buffering. */
  private trailers: Trailers | null = null;
  /** Inside `res.end()` with nothing to write: headers written now end the stream. */
  private ending = false;

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
    const onData = (raw: Buffer): void => {
      let c: Buffer | null = raw;
      if (this.decoders !== null) {
        c = this.decodeChunk(raw, false);
        if (this.replied) return cleanup();
        if (c === null) return;
      }
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
      if (this.decoders !== null) {
        const tail = this.decodeChunk(EMPTY, true);
        if (this.replied) return;
        if (tail !== null && tail.length > 0) {
          chunks.push(tail);
          size += tail.length;
        }
      }
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
    this.decoders = null; // the decoders so far saw the whole body
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

  /**
   * Stream the response through the `encodeData` / `encodeTrailers` filters (installed before any
   * header is written). While the response is buffered for an `encodeBody` filter, the flush feeds
   * these hooks instead; only the trailers need collecting then.
   */
  streamResponse(): void {
    const res = this.res as HookedResponse;
    res[kStream] = this;
    res.writeHead = hookedWriteHead as ServerResponse['writeHead'];
    res.addTrailers = capturingAddTrailers as ServerResponse['addTrailers'];
    if (this.response !== undefined) return;
    this.streaming = true;
    res.write = streamingWrite as ServerResponse['write'];
    res.end = streamingEnd as ServerResponse['end'];
  }

  /** `res.addTrailers` while streaming or buffering: kept for the filters until the end. */
  collectTrailers(fields: OutgoingHttpHeaders | readonly (readonly [string, string])[]): void {
    const t = (this.trailers ??= {});
    const add = (k: string, v: unknown): void => {
      if (v === undefined || v === null) return;
      const name = k.toLowerCase();
      const values = Array.isArray(v) ? v.map(String) : [String(v)];
      const had = t[name];
      t[name] = had === undefined ? (values.length === 1 ? values[0]! : values) : [...(Array.isArray(had) ? had : [had]), ...values];
    };
    if (Array.isArray(fields)) for (const [k, v] of fields as readonly (readonly [string, string])[]) add(k, v);
    else for (const k in fields as OutgoingHttpHeaders) add(k, (fields as OutgoingHttpHeaders)[k]);
  }

  /** Headers reach writeHead on the streaming path: encode filters, connection-manager edits, then written or held. */
  streamHead(status: number, msg: string | undefined, headers: unknown): ServerResponse {
    const res = this.res;
    this.headSeen = true;
    const list = flatten(headers);
    const endStream = this.ending;
    let hold = false;
    const fs = this.filters;
    if (fs !== null) {
      for (let i = fs.length - 1; i >= 0; i--) {
        const f = fs[i];
        if (f != null && f.encodeHeaders !== undefined && f.encodeHeaders(status, list, endStream) === FilterStatus.StopIteration) hold = true;
      }
    }
    this.responseStartHr = performance.now();
    this.cm.editResponseHeaders(list);
    this.responseHeaders = list;
    if (hold && !endStream) {
      this.held = { status, headers: list };
      return res;
    }
    this.held = null;
    const wh = protoOf(res).writeHead as (this: ServerResponse, ...a: unknown[]) => ServerResponse;
    return msg === undefined ? wh.call(res, status, list) : wh.call(res, status, msg, list);
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  /** Writes held headers (once). */
  private releaseHead(): void {
    const h = this.held;
    if (h === null) return;
    this.held = null;
    (protoOf(this.res).writeHead as (this: ServerResponse, s: number, l: string[]) => ServerResponse).call(this.res, h.status, h.headers);
  }

  /** Passes `chunk` through the encodeData filters from index `from` down to the first; null: nothing to write now. */
  private encodeChunk(from: number, chunk: Buffer, end: boolean): Buffer | null {
    const fs = this.filters!;
    let out: Buffer | null = chunk;
    for (let i = from; i >= 0; i--) {
      const f = fs[i];
      if (f == null || f.encodeData === undefined) continue;
      if (out === null || out.length === 0) {
        if (!end) return null;
        out = EMPTY;
      }
      out = f.encodeData(out, end);
    }
    return out;
  }

  /** `res.write` on the streaming path. */
  writeStreaming(chunk: unknown, enc: unknown, cb: unknown): boolean {
    const res = this.res;
    const p = protoOf(res);
    const done = typeof enc === 'function' ? enc : cb;
    if (res.writableEnded || res.destroyed) return (p.write as (...a: unknown[]) => boolean).call(res, chunk, enc, cb);
    if (!this.headSeen) res.writeHead(res.statusCode);
    const b = toBuffer(chunk, enc);
    let out: Buffer | null;
    try {
      out = b.length === 0 ? null : this.encodeChunk(this.filters!.length - 1, b, false);
    } catch (err) {
      this.cm.logFilterError(err);
      res.destroy();
      return false;
    }
    if (out === null || out.length === 0) {
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }
    this.releaseHead();
    this.bytesSent += out.length;
    return (p.write as (...a: unknown[]) => boolean).call(res, out, typeof done === 'function' ? done : undefined);
  }

  /** `res.end` on the streaming path: the last chunk and the trailers through the filters, then the end. */
  endStreaming(chunk: unknown, enc: unknown, cb: unknown): void {
    const res = this.res;
    const p = protoOf(res);
    const end = p.end as (this: ServerResponse, ...a: unknown[]) => ServerResponse;
    const done = typeof chunk === 'function' ? chunk : typeof enc === 'function' ? enc : cb;
    const tail = done === (chunk as unknown) ? null : chunk;
    if (res.writableEnded || res.destroyed) {
      end.call(res, ...(typeof done === 'function' ? [done] : []));
      return;
    }
    const body = tail === undefined || tail === null ? null : toBuffer(tail, enc);
    const trailers = this.trailers;
    this.trailers = null;
    if (!this.headSeen) {
      if ((body === null || body.length === 0) && trailers === null) {
        // Nothing but headers: node writes them in end(), with end of stream (gRPC trailers-only over HTTP/2).
        this.ending = true;
        try {
          end.call(res, ...(typeof done === 'function' ? [done] : []));
        } finally {
          this.ending = false;
        }
        return;
      }
      res.writeHead(res.statusCode);
    }
    const fs = this.filters!;
    const outs: Buffer[] = [];
    try {
      if ((body !== null && body.length > 0) || trailers === null) {
        const o = this.encodeChunk(fs.length - 1, body ?? EMPTY, trailers === null);
        if (o !== null && o.length > 0) outs.push(o);
      }
      if (trailers !== null) {
        for (let i = fs.length - 1; i >= 0; i--) {
          const f = fs[i];
          if (f == null || f.encodeTrailers === undefined) continue;
          const extra = f.encodeTrailers(trailers);
          if (extra === null || extra.length === 0) continue;
          const o = this.encodeChunk(i - 1, extra, false);
          if (o !== null && o.length > 0) outs.push(o);
        }
      }
    } catch (err) {
      this.cm.logFilterError(err);
      res.destroy();
      return;
    }
    const out = outs.length === 0 ? null : outs.length === 1 ? outs[0]! : Buffer.concat(outs);
    const keepTrailers = trailers !== null && hasFields(trailers);
    const h = this.held;
    if (h !== null && out === null && !keepTrailers) {
      // The held headers are the whole response.
      this.held = null;
      const wh = p.writeHead as ServerResponse['writeHead'];
      if (isHttp2Response(res)) endWithHeaders(res, h.status, h.headers, wh, end as ServerResponse['end']);
      else {
        (wh as (this: ServerResponse, s: number, l: string[]) => ServerResponse).call(res, h.status, h.headers);
        end.call(res);
      }
      if (typeof done === 'function') res.once('finish', done as () => void);
      return;
    }
    this.releaseHead();
    if (out !== null) {
      this.bytesSent += out.length;
      // Not end(out): node's HTTP/2 end(chunk) writes through `this.write`, which is hooked here.
      (p.write as (this: ServerResponse, b: Buffer) => boolean).call(res, out);
    }
    if (keepTrailers) (p.addTrailers as (this: ServerResponse, t: Trailers) => void).call(res, trailers);
    end.call(res, ...(typeof done === 'function' ? [done] : []));
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
          if (f.encodeData !== undefined || f.encodeTrailers !== undefined) this.encodeBuffered(f, resp);
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
    const trailers = this.trailers;
    this.trailers = null;
    const keepTrailers = trailers !== null && hasFields(trailers);
    // Trailers need a chunked HTTP/1.1 body: no content-length then.
    if (!bodyless && !keepTrailers) out.push('content-length', String(resp.body.length));
    this.responseHeaders = out;
    this.writeRaw(resp.status, out, bodyless ? null : resp.body, keepTrailers ? trailers : null);
  }

  /** A streaming filter on a buffered response: the whole body as one last chunk, then the trailers. */
  private encodeBuffered(f: StreamFilter, resp: BufferedResponse): void {
    const trailers = this.trailers;
    const parts: Buffer[] = [];
    if (f.encodeData !== undefined) {
      const o = f.encodeData(resp.body, trailers === null);
      if (o !== null) parts.push(o);
    } else parts.push(resp.body);
    if (trailers !== null && f.encodeTrailers !== undefined) {
      const extra = f.encodeTrailers(trailers);
      if (extra !== null) parts.push(extra);
    }
    resp.body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private writeRaw(status: number, headers: string[], body: Buffer | null, trailers: Trailers | null = null): void {
    const res = this.res;
    const p = protoOf(res);
    if ((body === null || body.length === 0) && trailers === null && isHttp2Response(res)) {
      // No body: one HEADERS frame with END_STREAM (a gRPC trailers-only answer stays one).
      endWithHeaders(res, status, headers, p.writeHead as ServerResponse['writeHead'], p.end as ServerResponse['end']);
      return;
    }
    (p.writeHead as (this: ServerResponse, s: number, h: string[]) => ServerResponse).call(res, status, headers);
    if (body !== null && body.length > 0) {
      this.bytesSent += body.length;
      // Not end(body): node's HTTP/2 end(chunk) writes through `this.write`, which is hooked here.
      (p.write as (this: ServerResponse, b: Buffer) => boolean).call(res, body);
    }
    if (trailers !== null) (p.addTrailers as (this: ServerResponse, t: Trailers) => void).call(res, trailers);
    (p.end as (this: ServerResponse) => ServerResponse).call(res);
  }

  decodeComplete(): void {
    this.decoded = true;
    if (this.decoders !== null) {
      this.installDecodedBody();
      if (this.replied) return;
    }
    this.cm.dispatch(this.req, this.res, this.route, this.url, this.path, this.queryAt, this);
  }

  /**
   * Passes a request body chunk through the streaming decoders, in chain order. null: nothing to send
   * now (or a decoder answered the request: `replied`). A decoder that throws answers 500.
   */
  decodeChunk(chunk: Buffer, end: boolean): Buffer | null {
    const ds = this.decoders!;
    let out: Buffer | null = chunk;
    try {
      for (let i = 0; i < ds.length; i++) {
        if (out === null || out.length === 0) {
          if (!end) return null;
          out = EMPTY;
        }
        out = ds[i]!.decodeData!(out, end);
        if (this.replied) return null;
      }
    } catch (err) {
      this.cm.logFilterError(err);
      this.sendLocalReply(500, null);
      return null;
    }
    return out;
  }

  /** The router's request body with the streaming decoders applied (a buffered body: at once). */
  private installDecodedBody(): void {
    const req = this.req as IncomingMessage & { [kBufferedBody]?: Buffer; [kBodyStream]?: AsyncIterable<Buffer> };
    const buffered = req[kBufferedBody];
    const h = req.headers;
    if (buffered !== undefined) {
      const out = this.decodeChunk(buffered, true) ?? EMPTY;
      if (this.replied) return;
      req[kBufferedBody] = out;
      this.requestBody = out;
      h['content-length'] = String(out.length);
      return;
    }
    if (h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0')) return;
    req[kBodyStream] = decodedBody(this);
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
    if (!responseCompleted(res)) this.responseFlags |= ResponseFlag.DownstreamConnectionTermination;
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
  if (s !== undefined && s.isStreaming && !this.headersSent) return s.streamHead(status, msg, headers);
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
  // node's HTTP/2 end(chunk) writes the chunk through `this.write` (countingWrite counts it there).
  if (s !== undefined && !this.writableEnded && !isHttp2Response(this)) s.bytesSent += byteLength(chunk, rest[0]);
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

function streamingWrite(this: HookedResponse, chunk: unknown, enc?: unknown, cb?: unknown): boolean {
  return this[kStream]!.writeStreaming(chunk, enc, cb);
}

function streamingEnd(this: HookedResponse, chunk?: unknown, enc?: unknown, cb?: unknown): ServerResponse {
  this[kStream]!.endStreaming(chunk, enc, cb);
  return this;
}

function capturingAddTrailers(this: HookedResponse, fields: OutgoingHttpHeaders | readonly (readonly [string, string])[]): void {
  this[kStream]!.collectTrailers(fields);
}

function toBuffer(chunk: unknown, enc: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return EMPTY;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  const u = chunk as Uint8Array;
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function hasFields(t: Trailers): boolean {
  for (const _ in t) return true;
  return false;
}

/**
 * The request body the router sends when streaming decoders are installed: the IncomingMessage read
 * chunk by chunk through them. A decoder that answered the request (a local reply) stops it with
 * an error, which cancels the upstream request.
 */
async function* decodedBody(s: ActiveStream): AsyncGenerator<Buffer> {
  for await (const c of s.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    const out = s.decodeChunk(c, false);
    if (s.replied) throw new RequestBodyRejected();
    if (out !== null && out.length > 0) yield out;
  }
  const last = s.decodeChunk(EMPTY, true);
  if (s.replied) throw new RequestBodyRejected();
  if (last !== null && last.length > 0) yield last;
}

function onRequestEnd(this: HookedRequest): void {
  const s = this[kStream];
  if (s !== undefined) s.requestEndHr = performance.now();
}

function onResponseClose(this: HookedResponse): void {
  this[kStream]?.closed();
}
