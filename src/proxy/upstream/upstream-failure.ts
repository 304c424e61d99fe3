/**
 * How a failed upstream connection is reported to the client, in Envoy's words: the reset reason of
 * the 503 body (`connection failure`, `connection timeout`, `connection termination`) and, for TLS,
 * the transport failure reason that Envoy appends and logs as `%UPSTREAM_TRANSPORT_FAILURE_REASON%`.
 *
 * TLS handshake failures (untrusted certificate, subject alt name mismatch, the server refusing us for
 * lack of a client certificate…) are raised by the upstream connector as `UpstreamTlsError`
 * (code `GLOO_UPSTREAM_TLS_HANDSHAKE`), a connection failure for retries (`connect-failure`) and stats.
 *
 * Example body: `upstream connect error or disconnect/reset before headers. reset reason: connection
 * failure, transport failure reason: TLS error: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the
 * first certificate`.
 */
import {
  UPSTREAM_CONNECT_FAILURE,
  UPSTREAM_CONNECT_TIMEOUT,
  UPSTREAM_CONNECTION_TERMINATION,
  textBody,
  type LocalBody,
} from '../http/local-reply.js';
import { ResponseFlag } from '../http/stream-info.js';

export const UPSTREAM_TLS_HANDSHAKE = 'GLOO_UPSTREAM_TLS_HANDSHAKE';

const RESET_PREFIX = 'upstream connect error or disconnect/reset before headers. reset reason: ';

/** A TLS handshake with an upstream failed; `transportFailureReason` says why, for people. */
export class UpstreamTlsError extends Error {
  readonly code = UPSTREAM_TLS_HANDSHAKE;

  constructor(
    readonly transportFailureReason: string,
    options?: { cause?: unknown },
  ) {
    super(`upstream TLS handshake failed: ${transportFailureReason}`, options);
    this.name = 'UpstreamTlsError';
  }
}

/**
 * `TLS error: CODE: reason` for a TLS-level error, on one line (OpenSSL's own message carries its
 * source location; node's `reason` is the readable part).
 */
export function tlsFailureReason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = (err as { reason?: unknown }).reason;
  const text = (typeof reason === 'string' && reason !== '' ? reason : err.message).replace(/\s+/g, ' ').trim();
  return code !== undefined && code !== '' && !text.includes(code) ? `TLS error: ${code}: ${text}` : `TLS error: ${text}`;
}

/**
 * The 503 body for an upstream request that failed before response headers (other than a timeout of
 * the route, which is a 504). Fixed bodies for the common cases; a body per failure for TLS errors.
 */
export function upstreamFailureBody(err: Error): LocalBody {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return UPSTREAM_CONNECT_TIMEOUT;
  if (err instanceof UpstreamTlsError) return transportFailureBody('connection failure', err.transportFailureReason, ResponseFlag.UpstreamConnectionFailure);
  if (code.startsWith('ERR_SSL_')) {
    // A TLS alert after the handshake (TLS 1.3 servers reject a missing client certificate this way).
    return transportFailureBody('connection termination', tlsFailureReason(err), ResponseFlag.UpstreamConnectionTermination);
  }
  if (CONNECT_FAILURE_CODES.has(code)) return UPSTREAM_CONNECT_FAILURE;
  return UPSTREAM_CONNECTION_TERMINATION;
}

function transportFailureBody(reset: string, reason: string, flag: number): LocalBody {
  const b = textBody(`${RESET_PREFIX}${reset}, transport failure reason: ${reason}`);
  return { ...b, flag, transportFailure: reason };
}

/** Error codes that mean the connection to the upstream could not be established. */
export const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOENT', // a pipe (Unix socket) path that does not exist
  'UND_ERR_CONNECT_TIMEOUT',
  UPSTREAM_TLS_HANDSHAKE,
]);
