/**
 * Listener management: one node:http server per served Envoy Listener, keyed by its address and
 * port. On each config:
 * - a listener that survives (same address and port) keeps its socket; new requests go to the new
 *   config's connection manager, requests in flight finish on the one they started with;
 * - a removed listener stops accepting and drains: in-flight requests finish, idle keep-alive
 *   connections are closed (and responses on draining listeners say `connection: close`); after
 *   `drainTimeoutMs` the remaining connections are cut;
 * - a bind failure (EADDRINUSE…) is reported through `onListenerError` and logged with the
 *   listener's name, address and port, never stops the others, and is retried with the next config.
 * `::` binds all interfaces, dual stack (falling back to 0.0.0.0 where IPv6 is unavailable).
 * A listener with several filter chains picks one per connection by its source address (cached on
 * the socket for the config in force; a config swap re-picks for the connection's next request); a
 * connection no chain matches is closed, as Envoy does.
 *
 * Server settings (from the HCM, compile-listener.ts) are applied to a surviving server in place, only
 * when they changed: node reads the timeouts per request / per check and `maxHeaderSize` and the
 * stream idle timeout when it sets up a connection, so those two apply to new connections (open
 * keep-alive connections keep theirs); no socket is reopened. The stream idle timeout answers 408
 * `stream timeout` before the response started and resets the connection after.
 *
 * Each server also takes h2c with prior knowledge on the same port (h2c-prior-knowledge.ts, an http2
 * server per listener whose requests take the same path) and HTTP/1.1 upgrades (node's 'upgrade'
 * event, handed to the connection manager). Upgraded sockets and HTTP/2 sessions are not tracked by
 * node:http, so draining closes them itself: GOAWAY at once for HTTP/2, both cut at the deadline.
 *
 * A connection whose chain is a TCP proxy (src/proxy/tcp) never reaches node:http: it is handed to
 * the proxy as it is (plain TCP, or TLS passed through with the ClientHello the inspector put back),
 * or after the chain's TLS handshake (TLS termination). Its chain is chosen when it opens — by what
 * the TLS inspector read, or by source address when no chain needs inspection — and it keeps the
 * config it started with. A draining listener lets TCP connections run until the deadline, then cuts them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { presentAsHttp1 } from '../http/http2-compat.js';
import { handToHttp2, readPrefix, serveH2cOrHttp1, takeConnectionListener } from './h2c-prior-knowledge.js';
import { inspect, type Inspection } from './tls-inspector.js';
import type { ConnectionManager } from '../http/connection-manager.js';
import { sendLocalReply } from '../http/local-reply.js';
import type { Logger } from '../logger.js';
import { textBody } from '../http/local-reply.js';
import type { ProxyStats } from '../stats.js';
import { sameSettings, type ListenerConfig, type ServedChain, type ServerSettings } from './compile-listener.js';
import type { FilterChainSelector } from './filter-chain-selector.js';
import type { TcpProxy } from '../tcp/tcp-proxy.js';

export type ListenerErrorHandler = (listenerName: string, address: string, port: number, err: Error) => void;

export interface ListenerManagerOptions {
  logger: Logger;
  onListenerError?: ListenerErrorHandler | undefined;
  /** How long a removed listener may take to finish its in-flight requests (default 60 s). */
  drainTimeoutMs?: number;
  stats?: ProxyStats;
}

/** Shared by all slots: the proxy drains (health checks answer 503). */
interface DrainState {
  draining: boolean;
}

const STREAM_TIMEOUT = textBody('stream timeout');

/** The chain a connection was given (stored on the socket; HTTP/2 requests read it through node's socket proxy). */
const kChain = Symbol('gloo.chain');
interface ChainMark {
  by: FilterChainSelector<ServedChain>;
  cm: ConnectionManager | null;
  sni: string | null;
  transport: string;
}
type MarkedSocket = Socket & { [kChain]?: ChainMark };

function inspectDecision(seen: Buffer): Inspection | undefined {
  const i = inspect(seen);
  return i.kind === 'need-more' ? undefined : i;
}

/** What the manager reports about one listener (for tests and the admin page). */
export interface ListenerStatus {
  name: string;
  address: string;
  port: number;
  /** The port actually bound (differs from `port` when the config asks for port 0). */
  boundPort: number | null;
  bound: boolean;
}

const IDLE_SWEEP_MS = 250;

class ListenerSlot {
  server: Server | null = null;
  draining = false;

  /** Read each connection's first bytes for a TLS ClientHello (some chain matches on TLS or terminates it). */
  inspectTls = false;
  /** Some chain proxies TCP: a connection's chain is chosen when it opens (ListenerConfig.hasTcpChains). */
  hasTcpChains = false;
  /** Set at bind: node:http's own connection handling, and the listener's http2 server. */
  http1: ((socket: Duplex) => void) | null = null;
  h2: Http2Server | null = null;

  constructor(
    public name: string,
    readonly address: string,
    readonly port: number,
    public connectionManager: ConnectionManager | null,
    public settings: ServerSettings,
    private readonly logger: Logger,
    public chainSelector: FilterChainSelector<ServedChain> | null = null,
    private readonly drain: DrainState = { draining: false },
    private readonly stats: ProxyStats | undefined = undefined,
  ) {}

  private managerFor(socket: Socket): ConnectionManager | null {
    const selector = this.chainSelector;
    if (selector === null) return this.connectionManager;
    const s = socket as MarkedSocket;
    const mark = s[kChain];
    if (mark !== undefined && mark.by === selector) return mark.cm;
    // First request on a plain connection, or a config swap since the chain was picked: pick again
    // by what the connection showed when it opened.
    const sni = mark?.sni ?? null;
    const transport = mark?.transport ?? 'raw_buffer';
    const cm = selector.select(socket.remoteAddress, sni, transport)?.cm ?? null;
    s[kChain] = { by: selector, cm, sni, transport };
    return cm;
  }

  /** Every new connection: TLS inspection and chain choice when needed, then HTTP/1.1, h2c or TLS. */
  readonly onConnection = (socket: Socket): void => {
    const http1 = this.http1!;
    const h2 = this.h2!;
    const timeout = this.settings.headersTimeout;
    if (!this.inspectTls) {
      if (this.hasTcpChains) this.serveBySource(socket, timeout);
      else serveH2cOrHttp1(socket, timeout, http1, h2);
      return;
    }
    readPrefix(socket, inspectDecision, timeout, (hello) => {
      const selector = this.chainSelector;
      const transport = hello.kind === 'tls' ? 'tls' : 'raw_buffer';
      const sni = hello.kind === 'tls' ? hello.sni : null;
      const chain = selector === null ? null : selector.select(socket.remoteAddress, sni, transport);
      if (selector === null || chain === null || (chain.tls !== null && hello.kind !== 'tls')) {
        // No chain for this connection (or a TLS-only chain and no ClientHello): not served, as Envoy.
        socket.destroy();
        return;
      }
      if (chain.tls === null) {
        if (chain.tcp !== null) {
          // Plain TCP, or TLS passed through: the ClientHello is back on the socket and goes upstream first.
          this.proxyTcp(socket, chain.tcp, sni);
          return;
        }
        (socket as MarkedSocket)[kChain] = { by: selector, cm: chain.cm, sni, transport };
        if (hello.kind === 'tls') http1(socket);
        else serveH2cOrHttp1(socket, timeout, http1, h2);
        return;
      }
      this.terminateTls(socket, chain, selector, sni);
    });
  };

  /** No chain needs TLS inspection, some proxies TCP: the chain is chosen by source address now. */
  private serveBySource(socket: Socket, timeout: number): void {
    const selector = this.chainSelector;
    const chain = selector === null ? null : selector.select(socket.remoteAddress);
    if (selector === null || chain === null) {
      socket.destroy();
      return;
    }
    if (chain.tcp !== null) {
      this.proxyTcp(socket, chain.tcp, null);
      return;
    }
    (socket as MarkedSocket)[kChain] = { by: selector, cm: chain.cm, sni: null, transport: 'raw_buffer' };
    serveH2cOrHttp1(socket, timeout, this.http1!, this.h2!);
  }

  /** Open TCP proxy connections (their downstream sockets): cut at the drain deadline. */
  readonly tcpConnections = new Set<Socket>();

  /** Hands a connection to a TCP proxy chain, tracked until it closes. */
  private proxyTcp(socket: Socket, tcp: TcpProxy, sni: string | null): void {
    this.tcpConnections.add(socket);
    socket.once('close', () => this.tcpConnections.delete(socket));
    try {
      tcp.handle(socket, sni);
    } catch (err) {
      this.logger.error('TCP proxy failed to start a connection', { listener: this.name, err });
      socket.destroy();
    }
  }

  /** Runs the chain's TLS handshake (its never-listening tls.Server), then serves the connection. */
  private terminateTls(socket: Socket, chain: ServedChain, selector: FilterChainSelector<ServedChain>, sni: string | null): void {
    const tls = chain.tls!;
    if (tls.onSecure === null) {
      tls.onSecure = (tlsSocket) => this.onSecureConnection(tlsSocket, chain, selector);
      tls.onHandshakeError = (err, tlsSocket) => this.onHandshakeError(err, tlsSocket);
    }
    (socket as MarkedSocket)[kChain] = { by: selector, cm: chain.cm, sni, transport: 'tls' };
    tls.server.emit('connection', socket);
  }

  private onHandshakeError(err: Error, socket: Socket): void {
    if (this.stats) this.stats.downstream_cx_ssl_error++;
    this.logger.debug?.('TLS handshake failed', { listener: this.name, remote: socket.remoteAddress, err });
  }

  /** After the handshake: the checks node leaves to us, then HTTP/2 when ALPN chose h2, else HTTP/1.1. */
  private onSecureConnection(tlsSocket: TLSSocket, chain: ServedChain, selector: FilterChainSelector<ServedChain>): void {
    const refused = chain.tls!.verifyPeer(tlsSocket);
    if (refused !== null) {
      this.onHandshakeError(new Error(refused), tlsSocket);
      tlsSocket.destroy();
      return;
    }
    if (this.stats) this.stats.downstream_cx_ssl_handshake++;
    tlsSocket.on('error', () => tlsSocket.destroy());
    const sni = typeof tlsSocket.servername === 'string' ? tlsSocket.servername.toLowerCase() : null;
    if (chain.tcp !== null) {
      // TLS termination to a TCP upstream: the decrypted stream is proxied; a half close passes through.
      tlsSocket.allowHalfOpen = true;
      this.proxyTcp(tlsSocket, chain.tcp, sni);
      return;
    }
    (tlsSocket as unknown as MarkedSocket)[kChain] = { by: selector, cm: chain.cm, sni, transport: 'tls' };
    if (tlsSocket.alpnProtocol === 'h2') handToHttp2(this.h2!, tlsSocket);
    else this.http1!(tlsSocket);
  }

  /** Sockets handed over by node's 'upgrade' event (the server no longer tracks them): cut at the drain deadline. */
  readonly upgraded = new Set<Socket>();

  /** Open HTTP/2 (h2c prior knowledge) sessions: sent GOAWAY when the listener drains, cut at its deadline. */
  readonly h2Sessions = new Set<Http2Session>();

  /** The http2 server's request listener: the same path as HTTP/1.1, the request presented as HTTP/1.1. */
  readonly onH2Request = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    presentAsHttp1(req);
    // max_request_headers_kb: node:http enforces it on HTTP/1.1 (431); node:http2 does not enforce its
    // own header-list setting, so it is counted here, as the HTTP/1.1 bytes `name: value\r\n` would be.
    const raw = req.rawHeaders;
    let size = 0;
    for (let i = 0; i < raw.length; i += 2) size += raw[i]!.length + raw[i + 1]!.length + 4;
    if (size > this.settings.maxHeaderSize) {
      sendLocalReply(res as unknown as ServerResponse, 431, null);
      return;
    }
    // The HCM's stream idle timeout, per HTTP/2 stream (node:http applies it per HTTP/1.1 connection).
    const idle = this.settings.streamIdleTimeout;
    if (idle > 0) res.setTimeout(idle, () => this.h2StreamIdle(res));
    this.onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  };

  /** An HTTP/2 stream was idle for the stream idle timeout: 408 before the response started, else reset. */
  private h2StreamIdle(res: Http2ServerResponse): void {
    if (res.headersSent || res.writableEnded) {
      res.stream.close(0x8); // CANCEL
      return;
    }
    if (this.stats) this.stats.downstream_rq_idle_timeout++;
    sendLocalReply(res as unknown as ServerResponse, 408, STREAM_TIMEOUT);
  }

  /** The server's 'upgrade' listener (websocket…): routed by the current connection manager. */
  readonly onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    const draining = this.draining || this.drain.draining;
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    try {
      const cm = this.managerFor(socket);
      if (cm === null) {
        socket.destroy();
        return;
      }
      cm.handleUpgrade(req, socket, head, draining);
    } catch (err) {
      this.logger.error('upgrade handling failed', { listener: this.name, url: req.url, err });
      socket.destroy();
    }
  };

  readonly onCheckContinue = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeContinue();
    this.onRequest(req, res);
  };

  /** The server's request listener: reads the current connection manager per request. */
  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const draining = this.draining || this.drain.draining;
    if (draining) res.shouldKeepAlive = false;
    try {
      const cm = this.managerFor(req.socket);
      if (cm === null) {
        // No filter chain matches this source: the connection is not served.
        req.socket.destroy();
        return;
      }
      cm.handle(req, res, draining);
    } catch (err) {
      // A bug must cost one request, never the process.
      this.logger.error('request handling failed', { listener: this.name, url: req.url, err });
      try {
        sendLocalReply(res, 500, null);
      } catch {
        res.destroy();
      }
    }
  };
}

export class ListenerManager {
  private readonly slots = new Map<string, ListenerSlot>();
  private readonly drains = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly onListenerError: ListenerErrorHandler | undefined;
  private readonly drainTimeoutMs: number;
  private readonly drainState: DrainState = { draining: false };
  private readonly stats: ProxyStats | undefined;

  constructor(opts: ListenerManagerOptions) {
    this.stats = opts.stats;
    this.logger = opts.logger;
    this.onListenerError = opts.onListenerError;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 60_000;
  }

  /**
   * Switches to a new set of listeners. Config of surviving listeners is swapped synchronously (before
   * the first await), so all listeners move to the new config in the same tick; the returned promise
   * settles once every new or previously failed listener is bound or has failed.
   */
  apply(configs: readonly ListenerConfig[]): Promise<void> {
    const wanted = new Map<string, ListenerConfig>();
    for (const c of configs) {
      const key = slotKey(c.address, c.port);
      if (wanted.has(key)) {
        this.logger.warn('two listeners use the same address and port; the second is ignored', {
          listener: c.name,
          other: wanted.get(key)!.name,
          address: c.address,
          port: c.port,
        });
        continue;
      }
      wanted.set(key, c);
    }
    for (const [key, slot] of this.slots) {
      if (wanted.has(key)) continue;
      this.slots.delete(key);
      this.retire(slot);
    }
    const binds: Promise<void>[] = [];
    for (const [key, c] of wanted) {
      let slot = this.slots.get(key);
      if (slot === undefined) {
        slot = new ListenerSlot(c.name, c.address, c.port, c.connectionManager, c.settings, this.logger, c.chainSelector, this.drainState, this.stats);
        slot.inspectTls = c.inspectTls;
        slot.hasTcpChains = c.hasTcpChains === true;
        this.slots.set(key, slot);
      } else {
        slot.name = c.name;
        slot.connectionManager = c.connectionManager;
        slot.chainSelector = c.chainSelector;
        slot.inspectTls = c.inspectTls;
        slot.hasTcpChains = c.hasTcpChains === true;
        if (!sameSettings(slot.settings, c.settings)) {
          slot.settings = c.settings;
          if (slot.server !== null) applySettings(slot.server, c.settings);
        }
      }
      if (slot.server === null) binds.push(this.bind(slot));
    }
    return Promise.all(binds).then(() => undefined);
  }

  /** Marks every listener as draining (health checks answer 503, responses close their connection). */
  setDraining(draining: boolean): void {
    this.drainState.draining = draining;
  }

  /** Stops every listener and waits for them to drain (at most `drainTimeoutMs`, or the given grace). */
  async close(graceMs?: number): Promise<void> {
    for (const slot of this.slots.values()) this.retire(slot, graceMs);
    this.slots.clear();
    await Promise.all([...this.drains]);
  }

  status(): ListenerStatus[] {
    return [...this.slots.values()].map((s) => {
      const a = s.server?.address();
      return {
        name: s.name,
        address: s.address,
        port: s.port,
        boundPort: a && typeof a === 'object' ? a.port : null,
        bound: s.server !== null,
      };
    });
  }

  private bind(slot: ListenerSlot, host = slot.address): Promise<void> {
    return new Promise((resolve) => {
      const server = createServer({ noDelay: true, connectionsCheckingInterval: 1000 }, slot.onRequest);
      applySettings(server, slot.settings);
      server.on('timeout', (socket: Socket) => this.streamIdle(socket));
      server.on('upgrade', slot.onUpgrade);
      const h2 = createHttp2Server({}, slot.onH2Request);
      h2.on('session', (session: Http2Session) => {
        slot.h2Sessions.add(session);
        session.once('close', () => slot.h2Sessions.delete(session));
        if (slot.draining) session.close();
      });
      slot.http1 = takeConnectionListener(server);
      slot.h2 = h2;
      server.on('connection', slot.onConnection);
      // `Expect: 100-continue`: Envoy with proxy_100_continue false (the default) answers 100 itself and
      // does not forward `expect` (hop-by-hop.ts); node would do the same without this listener, kept
      // explicit so the behaviour does not hang on a node default.
      server.on('checkContinue', slot.onCheckContinue);
      const onListening = (): void => {
        server.off('error', onError);
        server.on('error', (err) => this.logger.error('listener error', { listener: slot.name, address: slot.address, port: slot.port, err }));
        slot.server = server;
        this.logger.info('listener bound', { listener: slot.name, address: slot.address, port: slot.port });
        resolve();
      };
      const onError = (err: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (host === '::' && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')) {
          resolve(this.bind(slot, '0.0.0.0'));
          return;
        }
        this.logger.error('listener failed to bind; retrying with the next config', {
          listener: slot.name,
          address: slot.address,
          port: slot.port,
          err,
        });
        try {
          this.onListenerError?.(slot.name, slot.address, slot.port, err);
        } catch (cbErr) {
          this.logger.error('onListenerError callback threw', { listener: slot.name, err: cbErr });
        }
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port: slot.port, ipv6Only: false });
    });
  }

  /** The stream idle timeout fired on a connection. */
  private streamIdle(socket: Socket): void {
    const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (res == null || res.headersSent || res.writableEnded) {
      socket.destroy();
      return;
    }
    if (this.stats) this.stats.downstream_rq_idle_timeout++;
    res.shouldKeepAlive = false;
    sendLocalReply(res, 408, STREAM_TIMEOUT);
  }

  /** Stops accepting and drains a listener's connections. */
  private retire(slot: ListenerSlot, graceMs = this.drainTimeoutMs): void {
    slot.draining = true;
    const server = slot.server;
    if (server === null) return;
    slot.server = null;
    this.logger.info('listener draining', { listener: slot.name, address: slot.address, port: slot.port });
    const drained = new Promise<void>((resolve) => {
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      const deadline = setTimeout(() => {
        server.closeAllConnections();
        for (const s of slot.upgraded) s.destroy();
        for (const s of slot.h2Sessions) s.destroy();
        for (const s of slot.tcpConnections) s.destroy();
      }, graceMs);
      for (const s of slot.h2Sessions) s.close();
      sweep.unref();
      deadline.unref();
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      });
      server.closeIdleConnections();
    });
    this.drains.add(drained);
    void drained.finally(() => this.drains.delete(drained));
  }
}

function slotKey(address: string, port: number): string {
  return `${address}|${port}`;
}

function applySettings(server: Server, s: ServerSettings): void {
  server.keepAliveTimeout = s.keepAliveTimeout;
  server.headersTimeout = s.headersTimeout;
  server.requestTimeout = s.requestTimeout;
  server.timeout = s.streamIdleTimeout;
  // Read by node when it sets up each new connection's parser.
  (server as Server & { maxHeaderSize?: number }).maxHeaderSize = s.maxHeaderSize;
}
