/**
 * One TCP proxy connection, with Envoy's tcp_proxy behaviour:
 * - the downstream is not read until the upstream connection is up (bytes the TLS inspector read —
 *   a ClientHello passed through — were put back on the socket and go first);
 * - the host is picked by the cluster's load balancer (no hashing; the chain's subset match); each
 *   attempt is cut after the cluster's `connect_timeout`; a failed attempt is retried on a newly
 *   picked host until `max_connect_attempts`; then (or with no usable host, or no such cluster) the
 *   downstream connection is closed (response flags UF / UH / NC in the access log);
 * - then bytes flow both ways through stream pipes (backpressure: a side that cannot take more pauses
 *   the other's reading), a half close (FIN) is passed on and the other direction keeps flowing;
 * - the idle timeout (no byte read or written on either side) closes both; an error or a reset on one
 *   side, or a close before that side finished both directions, destroys the other;
 * - when both sides are closed: byte counters, and the access log (`%UPSTREAM_HOST%`,
 *   `%UPSTREAM_CLUSTER%`, `%BYTES_RECEIVED%`/`%BYTES_SENT%` (downstream), `%DURATION%`,
 *   `%RESPONSE_FLAGS%`, `%REQUESTED_SERVER_NAME%`, addresses; HTTP operators render `-`).
 * The host's active-request count (least-request balancing) includes its open TCP connections.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ResponseFlag, type StreamInfo } from '../http/stream-info.js';
import type { UpstreamHost } from '../upstream/host.js';
import type { TcpProxy, TcpTarget } from './tcp-proxy.js';

const NO_HEADERS = Object.freeze({});

interface ConnectionView {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  servername: string | null;
}
/** What the access log sees as the response of a TCP connection: none (`%RESPONSE_CODE%` 0). */
const NO_RESPONSE = Object.freeze({ headersSent: false, statusCode: 0 }) as unknown as ServerResponse;

export class TcpSession implements StreamInfo {
  readonly startTime = Date.now();
  readonly startHr = performance.now();
  requestEndHr = -1;
  responseStartHr = -1;
  endHr = -1;
  readonly responseHeaders = null;
  responseFlags = 0;
  bytesReceived = 0;
  bytesSent = 0;
  upstreamHost: string | null = null;
  upstreamCluster: string | null = null;
  readonly routeName = null;
  readonly healthCheck = false;

  private target: TcpTarget | null = null;
  /** The upstream connection (connecting or connected), null before the first attempt. */
  private upstream: Socket | null = null;
  private host: UpstreamHost | null = null;
  private connected = false;
  private attempts = 0;
  private downstreamClosed = false;
  private upstreamClosed = true;
  private finished = false;
  /** The connection's addresses and SNI as the access log reads them from `req.socket` (only with access logs). */
  private addresses: ConnectionView | null = null;

  constructor(
    private readonly proxy: TcpProxy,
    private readonly downstream: Socket,
    private readonly sni: string | null,
  ) {}

  start(): void {
    const proxy = this.proxy;
    const down = this.downstream;
    proxy.stats.downstream_cx_total++;
    down.on('error', this.closeBoth);
    down.once('close', this.onDownstreamClose);
    if (proxy.idleTimeoutMs > 0) down.setTimeout(proxy.idleTimeoutMs, this.onIdle);
    // Read now: a closed socket may no longer know its addresses.
    if (proxy.accessLogs !== null) this.addresses = { remoteAddress: down.remoteAddress, remotePort: down.remotePort, localAddress: down.localAddress, localPort: down.localPort, servername: this.sni };
    const target = proxy.target(this.sni);
    this.target = target;
    this.upstreamCluster = target.name === '' ? null : target.name;
    if (target.cluster === undefined) {
      proxy.stats.downstream_cx_no_route++;
      this.responseFlags |= ResponseFlag.NoClusterFound;
      down.destroy();
      return;
    }
    this.connect();
  }

  /** One connection attempt to a host the balancer picks. */
  private connect(): void {
    const cluster = this.target!.cluster!;
    const cs = cluster.stats;
    const host = cluster.chooseHost(null, null, this.target!.match);
    if (host === null) {
      cs.upstream_cx_none_healthy++;
      this.responseFlags |= ResponseFlag.NoHealthyUpstream;
      this.downstream.destroy();
      return;
    }
    this.attempts++;
    cs.upstream_cx_total++;
    cs.upstream_cx_active++;
    this.host = host;
    this.upstreamHost = host.authority;
    const up = connect({ host: host.address, port: host.port, allowHalfOpen: true, noDelay: true });
    this.upstream = up;
    this.upstreamClosed = false;
    let failed = false;
    const fail = (): void => {
      if (failed || this.connected) return;
      failed = true;
      clearTimeout(timer);
      up.destroy();
      if (this.downstream.destroyed) return; // the client went away: not an upstream failure
      cs.upstream_cx_connect_fail++;
      if (this.attempts < this.proxy.maxConnectAttempts) {
        this.connect();
        return;
      }
      cs.upstream_cx_connect_attempts_exceeded++;
      this.responseFlags |= ResponseFlag.UpstreamConnectionFailure;
      this.downstream.destroy();
    };
    const timer = setTimeout(() => {
      cs.upstream_cx_connect_timeout++;
      fail();
    }, cluster.connectTimeoutMs);
    up.once('connect', () => {
      clearTimeout(timer);
      if (!failed) this.onConnected(up, host);
    });
    up.on('error', () => {
      if (this.connected) this.closeBoth();
      else fail();
    });
    up.once('close', (hadError: boolean) => {
      clearTimeout(timer);
      cs.upstream_cx_active--;
      cs.upstream_cx_rx_bytes_total += up.bytesRead;
      cs.upstream_cx_tx_bytes_total += up.bytesWritten;
      if (up !== this.upstream) return; // an earlier, failed attempt
      this.upstreamClosed = true;
      if (this.connected) {
        host.activeRequests--;
        if (!this.downstream.destroyed && (hadError || !up.readableEnded || !up.writableFinished)) this.downstream.destroy();
      } else if (!failed && !this.downstream.destroyed) {
        fail(); // closed before connecting without an error
      }
      this.maybeFinish();
    });
  }

  private onConnected(up: Socket, host: UpstreamHost): void {
    const down = this.downstream;
    if (down.destroyed) {
      up.destroy();
      return;
    }
    this.connected = true;
    host.activeRequests++;
    this.responseStartHr = performance.now();
    if (this.proxy.idleTimeoutMs > 0) up.setTimeout(this.proxy.idleTimeoutMs, this.onIdle);
    up.pipe(down);
    down.pipe(up);
  }

  private readonly onIdle = (): void => {
    if (this.finished || this.downstream.destroyed) return;
    this.proxy.stats.idle_timeout++;
    this.closeBoth();
  };

  private readonly closeBoth = (): void => {
    this.downstream.destroy();
    this.upstream?.destroy();
  };

  private readonly onDownstreamClose = (hadError: boolean): void => {
    this.downstreamClosed = true;
    const down = this.downstream;
    const up = this.upstream;
    if (up !== null && !up.destroyed && (!this.connected || hadError || !down.readableEnded || !down.writableFinished)) up.destroy();
    this.maybeFinish();
  };

  /** Once both sides are closed: counters and the access log. */
  private maybeFinish(): void {
    if (this.finished || !this.downstreamClosed || !this.upstreamClosed) return;
    this.finished = true;
    const down = this.downstream;
    const stats = this.proxy.stats;
    this.endHr = performance.now();
    this.bytesReceived = down.bytesRead;
    this.bytesSent = down.bytesWritten;
    stats.downstream_cx_rx_bytes_total += this.bytesReceived;
    stats.downstream_cx_tx_bytes_total += this.bytesSent;
    const logs = this.proxy.accessLogs;
    if (logs !== null) logs.log({ req: this.requestView(), res: NO_RESPONSE, info: this });
  }

  /** The connection as the access-log formatters read a request: addresses and SNI, no HTTP. */
  private requestView(): IncomingMessage {
    return { socket: this.addresses, headers: NO_HEADERS, method: undefined, url: undefined, httpVersion: undefined } as unknown as IncomingMessage;
  }
}
