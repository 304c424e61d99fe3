/**
 * Responses the proxy answers itself (Envoy's "local replies"): 404 for no route, 503
 * `no healthy upstream`, 503 connection failures, 504 `upstream request timeout`, direct responses
 * and redirects. Bodies and header lists for the fixed replies are built once.
 *
 * A local reply to a gRPC request (content-type `application/grpc` or `application/grpc+…`, which the
 * gRPC-Web filter sets on the requests it converts) is, as in Envoy, a gRPC trailers-only response:
 * HTTP 200, `content-type: application/grpc`, `grpc-status` (the code given, else the HTTP status
 * mapped by `httpToGrpcStatus`: 404 → 12 UNIMPLEMENTED, 503/504/429 → 14 UNAVAILABLE…) and the body
 * text as a percent-encoded `grpc-message`; no body. Over HTTP/2 it is one HEADERS frame with
 * END_STREAM, so gRPC clients read the status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderMutation } from '../router/header-mutation.js';
import { endWithHeaders, isHttp2Response } from '../upstream/http2/held-headers.js';
import { headerOf, httpToGrpcStatus, isGrpcContentType, percentEncodeGrpcMessage, setHeader } from './grpc.js';
import { kStreamInfo, ResponseFlag, type StreamInfo } from './stream-info.js';

export interface LocalBody {
  readonly body: Buffer;
  readonly headers: readonly string[];
  /** Response flag of a body built per failure (the fixed bodies are recognised by identity). */
  readonly flag?: number;
  /** `%UPSTREAM_TRANSPORT_FAILURE_REASON%` (e.g. the TLS error of a failed upstream handshake). */
  readonly transportFailure?: string;
}

export function textBody(text: string): LocalBody {
  const body = Buffer.from(text, 'utf8');
  return { body, headers: ['content-length', String(body.length), 'content-type', 'text/plain'] };
}

/** Envoy's texts, kept word for word so users' runbooks and tests keep working. */
export const NO_HEALTHY_UPSTREAM = textBody('no healthy upstream');
export const UPSTREAM_CONNECT_FAILURE = textBody(
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
);
export const UPSTREAM_CONNECTION_TERMINATION = textBody(
  'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
);
export const UPSTREAM_REQUEST_TIMEOUT = textBody('upstream request timeout');
export const UPSTREAM_CONNECT_TIMEOUT = textBody(
  'upstream connect error or disconnect/reset before headers. reset reason: connection timeout',
);
/** Circuit breaker overflow; sent with `x-envoy-overloaded: true` (OVERLOADED_HEADERS). */
export const UPSTREAM_OVERFLOW = textBody('upstream connect error or disconnect/reset before headers. reset reason: overflow');
export const OVERLOADED_HEADERS: readonly string[] = ['x-envoy-overloaded', 'true'];

const EMPTY_HEADERS: readonly string[] = ['content-length', '0'];

/**
 * Sends a local reply. If the response already started, the downstream stream is reset instead
 * (a half-sent response must not look complete). `grpcStatus` overrides the code a gRPC request gets
 * (Envoy's `grpc_status` argument, e.g. DEADLINE_EXCEEDED for a max stream duration timeout).
 */
export function sendLocalReply(
  res: ServerResponse,
  status: number,
  body: LocalBody | null,
  mutation: HeaderMutation | null = null,
  extraHeaders: readonly string[] | null = null,
  grpcStatus = -1,
): void {
  if (res.writableEnded || res.destroyed) return;
  const info = (res as unknown as Record<symbol, StreamInfo | undefined>)[kStreamInfo];
  if (info !== undefined) {
    info.responseFlags |= flagOf(body);
    if (body !== null && body.transportFailure !== undefined) info.upstreamTransportFailureReason = body.transportFailure;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const req = (res as { req?: IncomingMessage }).req;
  if (req !== undefined && isGrpcContentType(req.headers['content-type'])) {
    sendGrpcLocalReply(res, status, body, mutation, extraHeaders, grpcStatus);
    return;
  }
  let headers = body === null ? EMPTY_HEADERS : body.headers;
  if (extraHeaders !== null || mutation !== null) {
    let list = extraHeaders === null ? headers.slice() : [...headers, ...extraHeaders];
    if (mutation !== null) list = mutation.applyToList(list);
    headers = list;
  }
  res.writeHead(status, headers as string[]);
  if (body === null) res.end();
  else res.end(body.body);
}

/**
 * The trailers-only gRPC form of a local reply (Envoy's `prepareLocalReply` with `is_grpc`): the route's
 * response header edits apply first, then status 200, `content-type`, `grpc-status` (unless an edit set
 * one) and `grpc-message` (the body text without a trailing newline, percent-encoded; none for an empty
 * body). HTTP/1.1 gets `content-length: 0`; HTTP/2 one HEADERS frame with END_STREAM.
 */
function sendGrpcLocalReply(
  res: ServerResponse,
  status: number,
  body: LocalBody | null,
  mutation: HeaderMutation | null,
  extraHeaders: readonly string[] | null,
  grpcStatus: number,
): void {
  let list: string[] = extraHeaders === null ? [] : extraHeaders.slice();
  if (mutation !== null) list = mutation.applyToList(list);
  for (let i = 0; i < list.length; ) {
    const k = list[i]!.toLowerCase();
    if (k === 'content-length' || k === 'content-type' || k === 'transfer-encoding') list.splice(i, 2);
    else i += 2;
  }
  list.push('content-type', 'application/grpc');
  if (headerOf(list, 'grpc-status') === undefined) list.push('grpc-status', String(grpcStatus >= 0 ? grpcStatus : httpToGrpcStatus(status)));
  if (body !== null && body.body.length > 0) {
    let text = body.body.toString('utf8');
    if (text.endsWith('\n')) text = text.slice(0, -1);
    if (text !== '') setHeader(list, 'grpc-message', percentEncodeGrpcMessage(text));
  }
  if (isHttp2Response(res)) {
    endWithHeaders(res, 200, list);
    return;
  }
  list.push('content-length', '0');
  res.writeHead(200, list);
  res.end();
}

/** The response flag a local reply stands for (for `%RESPONSE_FLAGS%`). */
function flagOf(body: LocalBody | null): number {
  if (body === null) return 0;
  if (body.flag !== undefined) return body.flag;
  if (body === NO_HEALTHY_UPSTREAM) return ResponseFlag.NoHealthyUpstream;
  if (body === UPSTREAM_CONNECT_FAILURE) return ResponseFlag.UpstreamConnectionFailure;
  if (body === UPSTREAM_CONNECTION_TERMINATION) return ResponseFlag.UpstreamConnectionTermination;
  if (body === UPSTREAM_REQUEST_TIMEOUT) return ResponseFlag.UpstreamRequestTimeout;
  if (body === UPSTREAM_CONNECT_TIMEOUT) return ResponseFlag.UpstreamConnectionFailure;
  if (body === UPSTREAM_OVERFLOW) return ResponseFlag.UpstreamOverflow;
  return 0;
}
