/**
 * Responses the proxy answers itself (Envoy's "local replies"): 404 for no route, 503
 * `no healthy upstream`, 503 connection failures, 504 `upstream request timeout`, direct responses
 * and redirects. Bodies and header lists for the fixed replies are built once.
 */
import type { ServerResponse } from 'node:http';
import type { HeaderMutation } from '../router/header-mutation.js';
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
 * (a half-sent response must not look complete).
 */
export function sendLocalReply(
  res: ServerResponse,
  status: number,
  body: LocalBody | null,
  mutation: HeaderMutation | null = null,
  extraHeaders: readonly string[] | null = null,
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
