/**
 * The connector undici's pools open upstream connections with (its `connect` option): TCP or a Unix
 * socket (pipe endpoints), TLS per the cluster's UpstreamTlsContext, HTTP/2 by ALPN or prior knowledge
 * (h2c), the connect timeout over TCP connect and TLS handshake together (Envoy's `connect_timeout`),
 * TCP keepalive and the socket buffer size. One connector per pool; it keeps the last TLS session to
 * resume the next handshake.
 *
 * A failed handshake becomes an `UpstreamTlsError` with the reason (`TLS error: CODE: message`), logged
 * with the cluster and the endpoint (at most once a second per pool), so a 503's body, the access log
 * (`%UPSTREAM_TRANSPORT_FAILURE_REASON%`) and the proxy log all say why.
 *
 * `openSocket` gives the same kind of connection (HTTP/1.1 by ALPN) to the paths that speak HTTP/1.1
 * on a raw socket (websocket upgrades, requests with trailers).
 */
import { connect as netConnect, isIP, type LookupFunction, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { errors, type buildConnector } from 'undici';
import type { Logger } from '../logger.js';
import { UpstreamProtocol, type ConnectionSettings } from './connection-settings.js';
import type { DnsResolver } from './dns-cache.js';
import { tlsFailureReason, UpstreamTlsError } from './upstream-failure.js';

/** Where a pool's connections go. */
export interface ConnectTarget {
  readonly cluster: string;
  /** `address:port` or the pipe path (for logs). */
  readonly endpoint: string;
  /** Unix socket path of a pipe endpoint, else null. */
  readonly pipe: string | null;
}

const LOG_INTERVAL_MS = 1000;

export class UpstreamConnector {
  private session: Buffer | undefined;
  private lastLog = 0;
  /** The function undici calls (bound once). */
  readonly connect: buildConnector.connector;

  constructor(
    readonly settings: ConnectionSettings,
    readonly target: ConnectTarget,
    private readonly logger: Logger,
    /** Name resolution for host names (LOGICAL_DNS endpoints); node's `dns.lookup` when absent. */
    private readonly lookup?: LookupFunction,
  ) {
    this.connect = (opts, callback) => this.open(opts.hostname, Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80), false, callback);
  }

  /**
   * A raw HTTP/1.1 connection to `host:port` (or the pipe), returned at once so writes can be queued;
   * a failure (timeout, TLS error included) is emitted as the socket's 'error'.
   */
  openSocket(host: string, port: number): Socket {
    return this.open(host, port, true, null);
  }

  private open(host: string, port: number, http1Only: boolean, callback: buildConnector.Callback | null): Socket {
    const s = this.settings;
    const pipe = this.target.pipe;
    let socket: Socket;
    if (s.tls !== null) {
      const o: ConnectionOptions = { ...s.tls.options };
      if (this.session !== undefined) o.session = this.session;
      if (http1Only) o.ALPNProtocols = ['http/1.1'];
      if (pipe !== null) o.path = pipe;
      else {
        o.host = host;
        o.port = port;
        if (s.family !== 0) (o as { family?: number }).family = s.family;
        if (this.lookup !== undefined) (o as { lookup?: LookupFunction }).lookup = this.lookup;
      }
      if (s.bufferLimitBytes > 0) (o as { highWaterMark?: number }).highWaterMark = s.bufferLimitBytes;
      const t = tlsConnect(o);
      t.on('session', (session: Buffer) => {
        this.session = session;
      });
      socket = t;
    } else {
      const o: Record<string, unknown> = pipe !== null ? { path: pipe } : { host, port, ...(s.family !== 0 ? { family: s.family } : {}) };
      if (pipe === null && this.lookup !== undefined) o.lookup = this.lookup;
      if (s.bufferLimitBytes > 0) o.highWaterMark = s.bufferLimitBytes;
      socket = netConnect(o as unknown as NetConnectOpts);
      // h2c with prior knowledge: undici speaks HTTP/2 on a socket whose ALPN says so.
      if (s.protocol === UpstreamProtocol.Http2 && !http1Only) (socket as Socket & { alpnProtocol?: string }).alpnProtocol = 'h2';
    }
    socket.setNoDelay(true);
    if (s.tcpKeepaliveMs !== null) socket.setKeepAlive(true, s.tcpKeepaliveMs);

    let settled = false;
    let tcpConnected = false;
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('error', onError);
      if (callback === null) {
        if (err !== null) socket.destroy(err);
      } else if (err !== null) {
        socket.on('error', noop);
        socket.destroy();
        callback(err, null);
      } else {
        callback(null, socket);
      }
    };
    const onError = (err: Error): void => {
      if (s.tls !== null && (tcpConnected || pipe !== null) && !isConnectError(err)) {
        settle(this.tlsFailure(err));
        return;
      }
      settle(err);
    };
    const timer = setTimeout(() => {
      settle(
        new errors.ConnectTimeoutError(
          `Connect Timeout Error (attempted address: ${pipe ?? `${host}:${port}`}, timeout: ${s.connectTimeoutMs}ms)`,
        ),
      );
    }, s.connectTimeoutMs);
    socket.once('connect', () => {
      tcpConnected = true;
    });
    socket.on('error', onError);
    if (s.tls !== null) {
      socket.once('secureConnect', () => {
        const t = socket as TLSSocket;
        const check = s.tls!.manualSanCheck;
        const bad = check === null ? undefined : check(t.getPeerCertificate());
        if (bad !== undefined) {
          settle(this.tlsFailure(bad));
          return;
        }
        // Explicit HTTP/2 speaks h2 even when the server did not negotiate it by ALPN (as Envoy does).
        if (s.protocol === UpstreamProtocol.Http2 && !http1Only && t.alpnProtocol !== 'h2') (t as { alpnProtocol: string | false | null }).alpnProtocol = 'h2';
        settle(null);
      });
    } else {
      socket.once('connect', () => settle(null));
    }
    return socket;
  }

  private tlsFailure(cause: Error): UpstreamTlsError {
    let reason = tlsFailureReason(cause);
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    if (!this.settings.tls!.hasClientCertificate && (code === 'ECONNRESET' || /HANDSHAKE_FAILURE|CERTIFICATE_REQUIRED/.test(code))) {
      reason += ' (no client certificate is configured for this cluster; the server may require one)';
    }
    const now = Date.now();
    if (now - this.lastLog >= LOG_INTERVAL_MS) {
      this.lastLog = now;
      this.logger.warn('upstream TLS handshake failed', { cluster: this.target.cluster, endpoint: this.target.endpoint, err: reason });
    }
    return new UpstreamTlsError(reason, { cause });
  }
}

/** Errors of the TCP connect itself (before TLS), passed through as connection failures. */
function isConnectError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function noop(): void {}

/**
 * A `net.connect` lookup function over a DnsResolver (so LOGICAL_DNS endpoints resolve through the
 * same resolver as STRICT_DNS ones; tests inject theirs). Each new connection resolves the name again.
 */
export function lookupVia(resolver: DnsResolver): LookupFunction {
  return ((hostname: string, options: { family?: number | string; all?: boolean }, callback: (err: Error | null, address: unknown, family?: number) => void) => {
    const fam = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    resolver(hostname, fam, false).then(
      (answer) => {
        const list = answer.addresses.map((address) => ({ address, family: isIP(address) }));
        if (list.length === 0) {
          const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as NodeJS.ErrnoException;
          err.code = 'ENOTFOUND';
          callback(err, options.all === true ? [] : '', 0);
        } else if (options.all === true) callback(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (err: Error) => callback(err, options.all === true ? [] : '', 0),
    );
  }) as LookupFunction;
}
