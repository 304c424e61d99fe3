/**
 * HTTP/1.1 protocol upgrades (websocket): the request is routed like any other by the connection
 * manager; this module owns what happens on the socket afterwards.
 * - `responseOnSocket`: node hands an upgrade request over without a ServerResponse; local replies
 *   (403 upgrade refused, 404, 503, direct responses, redirects) are written through one attached to
 *   the socket, which closes once the reply is sent.
 * - `tunnelUpgrade`: a raw connection to the chosen host (TCP, TLS or pipe, as its pool) carries the request head (forwarding
 *   headers and rewrites applied, `connection: upgrade` and `upgrade` kept), then bytes flow both
 *   ways untouched: the upstream's `101` head and everything after it. A half close (FIN) is passed
 *   on; an error or a full close on one side destroys the other. Before the upstream sent anything a
 *   failure is a local reply, as for any request (503 with Envoy's reset text).
 *
 * - `UpgradeLog`: the access log of an upgrade request, written when the downstream connection
 *   closes (as Envoy logs a websocket stream when it ends): the upstream's status (101) or the local
 *   reply's, the bytes of the whole connection, the upstream host and cluster, response flags.
 *
 * Not applied on upgrades (documented in docs/compatibility.md): HTTP filters, response header edits
 * and route timeouts.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { HeaderObject } from '../router/header-mutation.js';
import { CONNECT_FAILURES } from '../router/router-request.js';
import { countUpstreamStatus, type ClusterStats, type ProxyStats } from '../stats.js';
import { openUpstreamSocket } from '../upstream/connection-pools.js';
import type { UpstreamHost } from '../upstream/host.js';
import type { AccessLogs } from '../access-log/access-logger.js';
import { UPSTREAM_CONNECTION_TERMINATION, sendLocalReply } from './local-reply.js';
import { upstreamFailureBody } from '../upstream/upstream-failure.js';
import { ResponseFlag, StreamInfoRecord } from './stream-info.js';

/** The access-log facts of one upgrade request; logged once, when the downstream socket closes. */
export class UpgradeLog extends StreamInfoRecord {
  /** The upstream's status line code (0: none yet). */
  status = 0;
  /** A local reply sent instead of tunnelling (its status is logged). */
  local: ServerResponse | null = null;

  constructor(req: IncomingMessage, socket: Socket, logs: AccessLogs) {
    super();
    this.requestEndHr = this.startHr;
    socket.once('close', () => {
      this.endHr = performance.now();
      this.bytesReceived = socket.bytesRead;
      this.bytesSent = socket.bytesWritten;
      const res = this.local ?? ({ headersSent: this.status > 0, statusCode: this.status } as ServerResponse);
      logs.log({ req, res, info: this });
    });
  }

  /** A ServerResponse on the socket for a local reply, remembered for the log. */
  reply(req: IncomingMessage, socket: Socket): ServerResponse {
    this.local = responseOnSocket(req, socket);
    this.responseStartHr = performance.now();
    return this.local;
  }
}

/** A response written straight onto an upgrade request's socket; the socket is closed after it. */
export function responseOnSocket(req: IncomingMessage, socket: Socket): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  res.once('finish', () => socket.end());
  return res;
}

/** `METHOD target HTTP/1.1` and the headers, as bytes for the upstream connection. */
function requestHead(method: string, target: string, headers: HeaderObject): Buffer {
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) head += `${k}: ${x}\r\n`;
    else head += `${k}: ${v}\r\n`;
  }
  return Buffer.from(head + '\r\n', 'latin1');
}

/** The status code of an HTTP/1.x response's first bytes, or 0 when they do not start one. */
function statusOf(chunk: Buffer): number {
  if (chunk.length < 12 || chunk.toString('latin1', 0, 5) !== 'HTTP/') return 0;
  const code = Number(chunk.toString('latin1', 9, 12));
  return Number.isInteger(code) ? code : 0;
}

/**
 * Opens the tunnel for an allowed, routed upgrade request. `headers` are the upstream request headers
 * (hop-by-hop already removed, rewrites applied); `upgrade` the downstream `Upgrade` value.
 */
export function tunnelUpgrade(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  host: UpstreamHost,
  target: string,
  headers: HeaderObject,
  upgrade: string,
  stats: ProxyStats,
  cluster: ClusterStats,
  log: UpgradeLog | null = null,
): void {
  headers.connection = 'upgrade';
  headers.upgrade = upgrade;
  cluster.upstream_rq_total++;
  // The host's own kind of connection: TCP, TLS or a Unix socket (HTTP/1.1 by ALPN).
  const up = openUpstreamSocket(host);
  let answered = false;
  let counted = false;
  const closeBoth = (): void => {
    socket.destroy();
    up.destroy();
  };
  up.write(requestHead(req.method ?? 'GET', target, headers));
  if (head.length > 0) up.write(head);
  // Bytes the client sends early are queued on `up` until it connects.
  socket.pipe(up);
  socket.setTimeout(0);
  up.once('data', (chunk: Buffer) => {
    answered = true;
    const status = statusOf(chunk);
    if (log !== null) {
      log.status = status;
      log.responseStartHr = performance.now();
    }
    if (status >= 200) countUpstreamStatus(cluster, status);
    if (status === 101) {
      counted = true;
      stats.downstream_cx_upgrades_total++;
      stats.downstream_cx_upgrades_active++;
    }
  });
  up.pipe(socket);
  let replied = false;
  const reply = (err: NodeJS.ErrnoException | null): void => {
    replied = true;
    socket.unpipe(up);
    up.unpipe(socket);
    cluster.upstream_rq_5xx++;
    const connectFailure = err !== null && CONNECT_FAILURES.has(err.code ?? '');
    if (connectFailure) cluster.upstream_cx_connect_fail++;
    if (log !== null) log.responseFlags |= connectFailure ? ResponseFlag.UpstreamConnectionFailure : ResponseFlag.UpstreamConnectionTermination;
    sendLocalReply(log !== null ? log.reply(req, socket) : responseOnSocket(req, socket), 503, err === null ? UPSTREAM_CONNECTION_TERMINATION : upstreamFailureBody(err));
  };
  up.on('error', (err: NodeJS.ErrnoException) => {
    if (replied) return;
    if (answered || socket.destroyed) closeBoth();
    else reply(err);
  });
  up.once('close', () => {
    if (counted) {
      counted = false;
      stats.downstream_cx_upgrades_active--;
    }
    if (replied) return;
    if (!answered && !socket.destroyed) return reply(null);
    // After a clean end the pipe has already ended the downstream side; a reset cuts it.
    if (!up.readableEnded) socket.destroy();
  });
  socket.on('error', closeBoth);
  socket.once('close', () => {
    if (!replied && !socket.readableEnded) up.destroy();
  });
}
