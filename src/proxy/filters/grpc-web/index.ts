/**
 * `envoy.filters.http.grpc_web` (on by default in Gloo; `httpGateway.options.grpcWeb.disable` removes
 * it): gRPC-Web requests become gRPC requests and their gRPC responses become gRPC-Web responses, with
 * Envoy's behaviour (`grpc_web_filter.cc`):
 * - a request whose content-type is exactly `application/grpc-web`, `application/grpc-web+proto`,
 *   `application/grpc-web-text` or `application/grpc-web-text+proto` is converted: content-type
 *   `application/grpc`, `content-length` removed (the body streams), `te: trailers`, and
 *   `grpc-accept-encoding: identity,deflate,gzip` unless the client sent one. A text request's body is
 *   base64-decoded as it streams (invalid base64 → 400 `Bad gRPC-web request, invalid base64 data.`,
 *   which a gRPC request gets as a trailers-only INTERNAL). `accept: application/grpc-web-text[+proto]`
 *   asks for a text response.
 * - the response gets `content-type: application/grpc-web+proto` (`application/grpc-web-text+proto` for
 *   text), loses `content-length`, and its trailers (grpc-status, grpc-message, trailing metadata) are
 *   appended to the body as a trailer frame; a text response base64-encodes each whole frame. A
 *   trailers-only response keeps its status in the headers.
 * - a response that is not gRPC (not 200 with a gRPC content-type, nor already gRPC-Web) is turned into
 *   headers only: `grpc-status` from the HTTP status, the body (up to 16 KiB) as `grpc-message`,
 *   `content-length: 0`.
 * Everything else (CORS preflights, plain HTTP) passes untouched: the factory's `appliesTo` keeps
 * such requests out of the filter chain entirely.
 */
import type { IncomingMessage } from 'node:http';
import { FilterStatus, type FilterCallbacks, type FilterFactory, type StreamFilter } from '../../http/filter.js';
import { headerOf, httpToGrpcStatus, isGrpcContentType, percentEncodeGrpcMessage, removeHeader, setHeader } from '../../http/grpc.js';
import { textBody } from '../../http/local-reply.js';
import { Base64StreamDecoder, GrpcFrameParser, InvalidBase64Error, trailerFrame } from './codec.js';

export const GRPC_WEB_FILTER = 'envoy.filters.http.grpc_web';

const GRPC_WEB = 'application/grpc-web';
const GRPC_WEB_PROTO = 'application/grpc-web+proto';
const GRPC_WEB_TEXT = 'application/grpc-web-text';
const GRPC_WEB_TEXT_PROTO = 'application/grpc-web-text+proto';
const DEFAULT_GRPC_ACCEPT_ENCODING = 'identity,deflate,gzip';
/** The most of a non-gRPC response body kept for `grpc-message` (Envoy's MAX_BUFFERED_PLAINTEXT_LENGTH). */
const MAX_BUFFERED_PLAINTEXT = 16384;
const BAD_BASE64 = textBody('Bad gRPC-web request, invalid base64 data.');

/** One of the four gRPC-Web content types (exact match, as Envoy). */
export function isGrpcWebContentType(ct: string | string[] | undefined): boolean {
  if (typeof ct !== 'string' || ct.length < GRPC_WEB.length || ct.charCodeAt(16) !== 45 /* '-' of grpc-web */) return false;
  return ct === GRPC_WEB || ct === GRPC_WEB_PROTO || ct === GRPC_WEB_TEXT || ct === GRPC_WEB_TEXT_PROTO;
}

/** A response content-type that already is proto-encoded gRPC-Web (parameters ignored, case-insensitive). */
function isProtoGrpcWeb(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  const semi = ct.indexOf(';');
  const t = (semi === -1 ? ct : ct.slice(0, semi)).trimEnd().toLowerCase();
  return t === GRPC_WEB_PROTO || t === GRPC_WEB;
}

/** The per-request state of one gRPC-Web exchange. */
class GrpcWebStream implements StreamFilter {
  /**
   * decodeHeaders ran (Envoy's `is_grpc_web_request_`): a local reply from an earlier filter reaches
   * the encode hooks without it, and passes untouched.
   */
  private converted = false;
  /** The response is not gRPC: its body becomes `grpc-message` in the held headers. */
  private transform = false;
  private held: string[] | null = null;
  private status = 0;
  private plain: Buffer[] | null = null;
  private plainSize = 0;
  private sawBody = false;
  /** Text responses: whole frames are base64-encoded one by one. */
  private readonly frames: GrpcFrameParser | null;

  constructor(readonly textResponse: boolean) {
    this.frames = textResponse ? new GrpcFrameParser() : null;
  }

  decodeHeaders(cb: FilterCallbacks): FilterStatus {
    this.converted = true;
    const h = cb.req.headers;
    // The body's length changes (text) or streams as HTTP/2 DATA: no content-length upstream.
    const cl = h['content-length'];
    if (cl !== undefined) {
      delete h['content-length'];
      if (cl !== '0' && h['transfer-encoding'] === undefined) h['transfer-encoding'] = 'chunked';
    }
    h['content-type'] = 'application/grpc';
    h.te = 'trailers';
    if (h['grpc-accept-encoding'] === undefined) h['grpc-accept-encoding'] = DEFAULT_GRPC_ACCEPT_ENCODING;
    return FilterStatus.Continue;
  }

  encodeHeaders(status: number, headers: string[], endStream = false): FilterStatus {
    if (!this.converted) return FilterStatus.Continue;
    const ct = headerOf(headers, 'content-type');
    const grpc = endStream ? headerOf(headers, 'grpc-status') !== undefined : status === 200 && isGrpcContentType(ct);
    this.transform = !grpc && !(status === 200 && isProtoGrpcWeb(ct));
    removeHeader(headers, 'content-length');
    setHeader(headers, 'content-type', this.textResponse ? GRPC_WEB_TEXT_PROTO : GRPC_WEB_PROTO);
    if (endStream || !this.transform) {
      this.transform = false;
      return FilterStatus.Continue;
    }
    this.held = headers;
    this.status = status;
    return FilterStatus.StopIteration;
  }

  encodeData(chunk: Buffer, end: boolean): Buffer | null {
    if (!this.converted) return chunk;
    if (this.transform) {
      if (chunk.length > 0) {
        this.sawBody = true;
        if (this.plainSize < MAX_BUFFERED_PLAINTEXT) {
          const keep = chunk.length <= MAX_BUFFERED_PLAINTEXT - this.plainSize ? chunk : chunk.subarray(0, MAX_BUFFERED_PLAINTEXT - this.plainSize);
          (this.plain ??= []).push(keep);
          this.plainSize += keep.length;
        }
      }
      // A response that ends without a body byte ended with its headers (Envoy sees end_stream there).
      if (end && this.sawBody) this.finishTransform();
      return null;
    }
    if (this.frames === null) return chunk;
    const frames = this.frames.push(chunk);
    if (frames.length === 0) return null;
    return base64Frames(frames);
  }

  encodeTrailers(trailers: Record<string, string | string[]>): Buffer | null {
    if (!this.converted) return null;
    if (this.transform) {
      // The trailers stay trailers (Envoy); the held headers get the status and message.
      this.finishTransform();
      return null;
    }
    const frame = trailerFrame(trailers);
    for (const k in trailers) delete trailers[k];
    return this.frames === null ? frame : Buffer.from(frame.toString('base64'), 'latin1');
  }

  /** The non-gRPC response's status and body become grpc-status and grpc-message in its headers. */
  private finishTransform(): void {
    const h = this.held;
    if (h === null) return;
    this.held = null;
    const body = this.plain === null ? '' : Buffer.concat(this.plain, this.plainSize).toString('utf8');
    this.plain = null;
    setHeader(h, 'grpc-message', percentEncodeGrpcMessage(body));
    setHeader(h, 'grpc-status', String(httpToGrpcStatus(this.status)));
    setHeader(h, 'content-length', '0');
  }
}

/** A text-mode request: the body is base64 as it streams. */
class GrpcWebTextStream extends GrpcWebStream {
  private readonly b64 = new Base64StreamDecoder();

  constructor(
    textResponse: boolean,
    private readonly cb: FilterCallbacks,
  ) {
    super(textResponse);
  }

  decodeData(chunk: Buffer, end: boolean): Buffer | null {
    try {
      return this.b64.push(chunk, end);
    } catch (err) {
      if (!(err instanceof InvalidBase64Error)) throw err;
      this.cb.sendLocalReply(400, BAD_BASE64);
      return null;
    }
  }
}

function base64Frames(frames: Buffer[]): Buffer {
  if (frames.length === 1) return Buffer.from(frames[0]!.toString('base64'), 'latin1');
  let text = '';
  for (const f of frames) text += f.toString('base64');
  return Buffer.from(text, 'latin1');
}

export function grpcWebFilterFactory(): FilterFactory {
  return {
    name: GRPC_WEB_FILTER,
    encodes: true,
    appliesTo: (req: IncomingMessage) => isGrpcWebContentType(req.headers['content-type']),
    create(_perRoute: unknown, cb: FilterCallbacks): StreamFilter | null {
      const h = cb.req.headers;
      const ct = h['content-type'];
      if (!isGrpcWebContentType(ct)) return null;
      const accept = h.accept;
      const textResponse = accept === GRPC_WEB_TEXT || accept === GRPC_WEB_TEXT_PROTO;
      const textRequest = ct === GRPC_WEB_TEXT || ct === GRPC_WEB_TEXT_PROTO;
      return textRequest ? new GrpcWebTextStream(textResponse, cb) : new GrpcWebStream(textResponse);
    },
  };
}
