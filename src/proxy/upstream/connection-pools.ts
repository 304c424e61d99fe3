/**
 * Connection pools over undici, one `Pool` per (cluster, endpoint, connection settings). A config
 * update keeps the pools of endpoints whose settings are unchanged and closes the others gracefully:
 * `Pool.close()` lets requests already dispatched on them finish. Requests pick a host and dispatch in
 * the same tick as they start, so an old config's request never dispatches onto a pool retired by a
 * newer one.
 *
 * Every pool connects through an `UpstreamConnector` (connector.ts: TCP or pipe, TLS, h2 / h2c, connect
 * timeout, keepalive) and is sized by the cluster's settings (connection-settings.ts): at most
 * `max_connections` connections, one request at a time per HTTP/1.1 connection, up to
 * `max_concurrent_streams` streams per HTTP/2 connection — a bounded pool of sessions.
 * With `auto_sni` an endpoint gets one pool per SNI (auto-sni: at most AUTO_SNI_POOLS, least recently
 * used closed first).
 */
import { Dispatcher, Pool } from 'undici';
import { connect as netConnect, type LookupFunction, type Socket } from 'node:net';
import type { Logger } from '../logger.js';
import { deliverTrailersAfterData } from './http2/trailers-after-data.js';
import { UpstreamProtocol, withSni, type ConnectionSettings } from './connection-settings.js';
import { UpstreamConnector, lookupVia, type ConnectTarget } from './connector.js';
import { systemResolver, type DnsResolver } from './dns-cache.js';

export { DEFAULT_CONNECT_TIMEOUT_MS } from './connection-settings.js';

/** An endpoint: an IP (or, for LOGICAL_DNS, a name) and port, or a Unix socket path. */
export type EndpointAddress = { readonly address: string; readonly port: number; readonly pipe?: undefined } | { readonly pipe: string };

/** A dispatcher that can also open a raw HTTP/1.1 connection like its own (upgrades, request trailers). */
export interface RawConnectable {
  /** Connection failures are emitted as the socket's 'error'. */
  openSocket(host: string, port: number): Socket;
  /** Its connections are not plain TCP (TLS or a Unix socket). */
  readonly needsConnector: boolean;
  /** It speaks HTTP/2 upstream. */
  readonly http2: boolean;
}

// undici's HTTP/2 client would lose body bytes that arrive with the trailers (trailers-after-data.ts).
deliverTrailersAfterData();

/** At most this many SNI pools per endpoint with `auto_sni`. */
export const AUTO_SNI_POOLS = 64;

/** undici's Pool, plus the connector it uses. */
export class UpstreamPool extends Pool implements RawConnectable {
  constructor(
    origin: string,
    readonly connector: UpstreamConnector,
  ) {
    super(origin, poolOptions(connector));
  }

  openSocket(host: string, port: number): Socket {
    return this.connector.openSocket(host, port);
  }

  get needsConnector(): boolean {
    return this.connector.settings.tls !== null || this.connector.target.pipe !== null;
  }

  get http2(): boolean {
    return this.connector.settings.protocol === UpstreamProtocol.Http2;
  }

}

/** `max_requests_per_connection: 1`: every request asks for its connection to close after it. */
class OneRequestPerConnectionPool extends UpstreamPool {
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return super.dispatch({ ...opts, reset: true }, handler);
  }
}

/** The pool of a connector: one request per connection, or undici's Pool as it is. */
function newPool(origin: string, connector: UpstreamConnector): UpstreamPool {
  const s = connector.settings;
  return s.maxRequestsPerConnection === 1 && s.protocol === UpstreamProtocol.Http1 ? new OneRequestPerConnectionPool(origin, connector) : new UpstreamPool(origin, connector);
}

/**
 * A raw HTTP/1.1 connection to a host, the way its pool connects (TLS, pipe, timeouts). Failures are
 * emitted as the socket's 'error'. Example: `openUpstreamSocket(host).write(requestHead)`.
 */
export function openUpstreamSocket(host: { address: string; port: number; pool: Dispatcher }): Socket {
  const raw = host.pool as Partial<RawConnectable>;
  if (typeof raw.openSocket === 'function') return raw.openSocket(host.address, host.port);
  return netConnect({ host: host.address, port: host.port, noDelay: true });
}

/** The pool's connections need more than a TCP connect to address:port (TLS or a pipe). */
export function needsConnector(pool: Dispatcher): boolean {
  return (pool as Partial<RawConnectable>).needsConnector === true;
}

/** The pool speaks HTTP/2 to its upstream. */
export function speaksHttp2(pool: Dispatcher): boolean {
  return (pool as Partial<RawConnectable>).http2 === true;
}


function poolOptions(c: UpstreamConnector): Pool.Options {
  const s = c.settings;
  const o: Pool.Options = { connections: s.maxConnections, connect: c.connect };
  if (s.protocol === UpstreamProtocol.Http1) o.pipelining = 1;
  else {
    o.allowH2 = true;
    const h2 = s.http2!;
    o.maxConcurrentStreams = h2.maxConcurrentStreams;
    // Explicit HTTP/2 always speaks h2: fill a connection up to its streams before opening another.
    // With auto_config the server may pick HTTP/1.1, so undici's per-protocol default is kept.
    if (s.protocol === UpstreamProtocol.Http2) o.pipelining = h2.maxConcurrentStreams;
    if (h2.initialStreamWindowSize !== undefined) o.initialWindowSize = h2.initialStreamWindowSize;
    if (h2.initialConnectionWindowSize !== undefined) o.connectionWindowSize = h2.initialConnectionWindowSize;
  }
  // undici closes a connection after `maxRequestsPerClient + 1` requests (it compares before counting
  // the current one), so N requests per connection is N - 1 there; N = 1 is `reset` on every request
  // (OneRequestPerConnectionPool), as 0 means unlimited to undici.
  if (s.maxRequestsPerConnection > 1) o.maxRequestsPerClient = s.maxRequestsPerConnection - 1;
  if (s.idleTimeoutMs > 0) {
    o.keepAliveTimeout = s.idleTimeoutMs;
    o.keepAliveMaxTimeout = s.idleTimeoutMs;
  }
  return o;
}

/**
 * `auto_sni`: the SNI is the Host of each request (after host rewrites), so connections are kept per
 * name — one UpstreamPool per SNI, bounded (least recently used closed gracefully). A Host that is an
 * IP literal or absent uses the endpoint's configured TLS.
 */
export class AutoSniPool extends Dispatcher implements RawConnectable {
  private readonly pools = new Map<string, UpstreamPool>();
  private readonly base: UpstreamPool;
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly settings: ConnectionSettings,
    private readonly target: ConnectTarget,
    private readonly logger: Logger,
    private readonly lookup?: LookupFunction,
  ) {
    super();
    this.base = newPool(origin, new UpstreamConnector(settings, target, logger, lookup));
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.poolFor(hostOf(opts.headers)).dispatch(opts, handler);
  }

  openSocket(host: string, port: number): Socket {
    return this.base.openSocket(host, port);
  }

  get needsConnector(): boolean {
    return this.base.needsConnector;
  }

  get http2(): boolean {
    return this.base.http2;
  }


  /** Number of per-SNI pools (tests). */
  get size(): number {
    return this.pools.size;
  }

  private poolFor(host: string | undefined): UpstreamPool {
    if (this.closed || host === undefined) return this.base;
    const sni = stripPort(host).toLowerCase();
    if (sni === '' || sni.includes(':') || /^[\d.]+$/.test(sni)) return this.base;
    let pool = this.pools.get(sni);
    if (pool !== undefined) {
      // Most recently used last.
      this.pools.delete(sni);
      this.pools.set(sni, pool);
      return pool;
    }
    if (this.pools.size >= AUTO_SNI_POOLS) {
      const [oldest, old] = this.pools.entries().next().value as [string, UpstreamPool];
      this.pools.delete(oldest);
      old.close().catch(() => undefined);
    }
    pool = newPool(this.origin, new UpstreamConnector(withSni(this.settings, sni), this.target, this.logger, this.lookup));
    this.pools.set(sni, pool);
    return pool;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.closed = true;
    const all = [this.base, ...this.pools.values()];
    this.pools.clear();
    const p = Promise.allSettled(all.map((x) => x.close())).then(() => undefined);
    if (callback === undefined) return p;
    void p.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    this.closed = true;
    const err = typeof a === 'function' ? null : (a ?? null);
    const callback = typeof a === 'function' ? a : b;
    const all = [this.base, ...this.pools.values()];
    this.pools.clear();
    const p = Promise.allSettled(all.map((x) => x.destroy(err))).then(() => undefined);
    if (callback === undefined) return p;
    void p.then(callback);
  }
}

function hostOf(headers: Dispatcher.DispatchOptions['headers']): string | undefined {
  if (headers === null || headers === undefined || Array.isArray(headers)) return undefined;
  const h = (headers as Record<string, unknown>).host;
  return typeof h === 'string' ? h : undefined;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host;
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

export class ConnectionPools {
  private pools = new Map<string, Dispatcher>();
  /** Pools retired and still finishing their in-flight requests. */
  private closing = new Set<Promise<void>>();
  private readonly lookup: LookupFunction | undefined;

  constructor(
    private readonly logger: Logger,
    /** Resolver for host-name endpoints (LOGICAL_DNS); node's `dns.lookup` when absent. */
    resolver?: DnsResolver,
  ) {
    this.lookup = resolver === undefined || resolver === systemResolver ? undefined : lookupVia(resolver);
  }

  /**
   * The pool for an endpoint of a cluster, reusing the existing one when the settings are unchanged.
   * Its key is added to `used` (pools not in the set given to `retainOnly` are closed).
   */
  acquire(cluster: string, endpoint: EndpointAddress, settings: ConnectionSettings, used: Set<string>): Dispatcher {
    const name = endpoint.pipe !== undefined ? endpoint.pipe : authorityOf(endpoint.address, endpoint.port);
    const key = `${cluster}\u0000${name}\u0000${settings.key}`;
    used.add(key);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      const scheme = settings.tls !== null ? 'https' : 'http';
      const origin = endpoint.pipe !== undefined ? `${scheme}://localhost` : `${scheme}://${name}`;
      const target: ConnectTarget = { cluster, endpoint: name, pipe: endpoint.pipe ?? null };
      pool = settings.autoSni
        ? new AutoSniPool(origin, settings, target, this.logger, this.lookup)
        : newPool(origin, new UpstreamConnector(settings, target, this.logger, this.lookup));
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes (gracefully) every pool whose key is not in `used`. */
  retainOnly(used: Set<string>): void {
    for (const [key, pool] of this.pools) {
      if (used.has(key)) continue;
      this.pools.delete(key);
      this.closeGracefully(pool, key);
    }
  }

  private closeGracefully(pool: Dispatcher, key: string): void {
    const p = pool
      .close()
      .catch((err: unknown) => this.logger.warn('closing upstream pool failed', { pool: key.split('\u0000').slice(0, 2).join(' '), err }))
      .finally(() => this.closing.delete(p));
    this.closing.add(p);
  }

  /** Closes every pool; waits for in-flight requests at most `graceMs`, then destroys. */
  async closeAll(graceMs: number): Promise<void> {
    for (const [key, pool] of this.pools) this.closeGracefully(pool, key);
    const all = [...this.pools.values()];
    this.pools.clear();
    const settled = Promise.allSettled([...this.closing]);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), graceMs);
      timer.unref();
    });
    if ((await Promise.race([settled, expired])) === 'expired') {
      await Promise.allSettled(all.map((p) => p.destroy()));
    }
    clearTimeout(timer);
  }

  get size(): number {
    return this.pools.size;
  }
}

function authorityOf(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
