import assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Dispatcher } from 'undici';
import { AUTO_SNI_POOLS, AutoSniPool, ConnectionPools } from '../../../../src/proxy/upstream/connection-pools.js';
import { ClusterConnections, type ConnectionSettings } from '../../../../src/proxy/upstream/connection-settings.js';
import { UpstreamConnector, lookupVia } from '../../../../src/proxy/upstream/connector.js';
import { UpstreamTlsError } from '../../../../src/proxy/upstream/upstream-failure.js';
import type { Cluster } from '../../../../src/xds/envoy-types.js';
import { TYPE_URL } from '../../../../src/xds/envoy-types.js';
import { startSilentServer } from '../../../helpers/tls-upstream.js';
import { memoryLogger } from '../fakes.js';

const target = { cluster: 'c', endpoint: 'e', pipe: null };

function settings(c: Partial<Cluster> = {}): ConnectionSettings {
  return ClusterConnections.compile({ name: 'c', ...c }).base;
}

const TLS = { transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': TYPE_URL.upstreamTlsContext, common_tls_context: {} } } };

function connectOnce(conn: UpstreamConnector, port: number): Promise<Socket> {
  return new Promise((resolve, reject) =>
    conn.connect({ hostname: '127.0.0.1', protocol: 'http:', port: String(port) }, (err, socket) => (err ? reject(err) : resolve(socket as Socket))),
  );
}

describe('upstream connector', () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];

  before(async () => {
    server = createServer((s) => {
      accepted.push(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('turns TCP keepalive on with keepalive_time only when configured (Envoy leaves it off)', async (t) => {
    const calls: unknown[][] = [];
    const orig = Socket.prototype.setKeepAlive;
    t.after(() => {
      Socket.prototype.setKeepAlive = orig;
    });
    Socket.prototype.setKeepAlive = function (this: Socket, ...args: unknown[]) {
      calls.push(args);
      return orig.apply(this, args as [boolean, number]);
    } as Socket['setKeepAlive'];
    const on = await connectOnce(new UpstreamConnector(settings({ upstream_connection_options: { tcp_keepalive: { keepalive_time: { value: 30 } } } }), target, memoryLogger()), port);
    assert.deepEqual(calls, [[true, 30_000]]);
    on.destroy();
    calls.length = 0;
    const off = await connectOnce(new UpstreamConnector(settings(), target, memoryLogger()), port);
    assert.deepEqual(calls, []);
    off.destroy();
  });

  it('per_connection_buffer_limit_bytes is the socket high-water mark', async () => {
    const s = await connectOnce(new UpstreamConnector(settings({ per_connection_buffer_limit_bytes: { value: 4096 } }), target, memoryLogger()), port);
    assert.equal(s.writableHighWaterMark, 4096);
    assert.equal(s.readableHighWaterMark, 4096);
    s.destroy();
  });

  it('h2c: a plain HTTP/2 connection says h2 to undici (prior knowledge); raw sockets stay HTTP/1.1', async () => {
    const h2 = settings({
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': TYPE_URL.upstreamHttpProtocolOptions, explicit_http_config: { http2_protocol_options: {} } },
      },
    });
    const conn = new UpstreamConnector(h2, target, memoryLogger());
    const s = await connectOnce(conn, port);
    assert.equal((s as Socket & { alpnProtocol?: string }).alpnProtocol, 'h2');
    s.destroy();
    const raw = conn.openSocket('127.0.0.1', port);
    assert.equal((raw as Socket & { alpnProtocol?: string }).alpnProtocol, undefined);
    raw.destroy();
  });

  it('connect_timeout covers the TLS handshake', async () => {
    const silent = await startSilentServer();
    try {
      const conn = new UpstreamConnector(settings({ ...TLS, connect_timeout: { seconds: '0', nanos: 50_000_000 } }), target, memoryLogger());
      await assert.rejects(connectOnce(conn, silent.port), (err: NodeJS.ErrnoException) => err.code === 'UND_ERR_CONNECT_TIMEOUT');
    } finally {
      await silent.close();
    }
  });

  it('a failed handshake is an UpstreamTlsError, logged with cluster and endpoint at most once a second', async () => {
    // A plain HTTP server: its answer is no TLS handshake.
    const garbage = createServer((s) => s.resume().end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    const gport = (garbage.address() as { port: number }).port;
    const logger = memoryLogger();
    const conn = new UpstreamConnector(settings(TLS), { cluster: 'tls-cluster', endpoint: `127.0.0.1:${gport}`, pipe: null }, logger);
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(connectOnce(conn, gport), (err: Error) => err instanceof UpstreamTlsError && /^TLS error: /.test(err.transportFailureReason));
      }
      const logs = logger.entries.filter((e) => e.msg === 'upstream TLS handshake failed');
      assert.equal(logs.length, 1);
      assert.equal(logs[0]!.fields?.cluster, 'tls-cluster');
      assert.equal(logs[0]!.fields?.endpoint, `127.0.0.1:${gport}`);
    } finally {
      await new Promise<void>((r) => garbage.close(() => r()));
    }
  });

  it('openSocket reports a failure as the socket error', async () => {
    const conn = new UpstreamConnector(settings(), { cluster: 'c', endpoint: 'x', pipe: '/nonexistent/gloo.sock' }, memoryLogger());
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => conn.openSocket('ignored', 0).on('error', resolve));
    assert.equal(err.code, 'ENOENT');
  });

  it('lookupVia resolves through a DnsResolver (single and all answers, family passed on)', async () => {
    const seen: unknown[] = [];
    const lookup = lookupVia(async (name, family) => {
      seen.push([name, family]);
      return { addresses: name === 'none.test' ? [] : ['127.0.0.2', '::1'] };
    });
    const one = await new Promise<unknown[]>((resolve) => lookup('svc.test', { family: 4 }, (...a: unknown[]) => resolve(a)));
    assert.deepEqual(one, [null, '127.0.0.2', 4]);
    const all = await new Promise<unknown[]>((resolve) => lookup('svc.test', { all: true }, (...a: unknown[]) => resolve(a)));
    assert.deepEqual(all, [null, [{ address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 }]]);
    const none = await new Promise<unknown[]>((resolve) => lookup('none.test', {}, (...a: unknown[]) => resolve(a)));
    assert.equal((none[0] as NodeJS.ErrnoException).code, 'ENOTFOUND');
    assert.deepEqual(seen, [['svc.test', 4], ['svc.test', 0], ['none.test', 0]]);
  });
});

describe('connection pools', () => {
  it('one pool per (cluster, endpoint, settings); retainOnly closes the rest', async () => {
    const pools = new ConnectionPools(memoryLogger());
    const used = new Set<string>();
    const a = pools.acquire('c', { address: '127.0.0.1', port: 1 }, settings(), used);
    assert.equal(pools.acquire('c', { address: '127.0.0.1', port: 1 }, settings(), used), a);
    assert.notEqual(pools.acquire('d', { address: '127.0.0.1', port: 1 }, settings(), used), a);
    assert.notEqual(pools.acquire('c', { address: '127.0.0.1', port: 1 }, settings({ connect_timeout: { seconds: '1', nanos: 0 } }), used), a);
    assert.notEqual(pools.acquire('c', { pipe: '/tmp/x.sock' }, settings(), used), a);
    assert.equal(pools.size, 4);
    const keep = new Set<string>();
    assert.equal(pools.acquire('c', { address: '127.0.0.1', port: 1 }, settings(), keep), a);
    pools.retainOnly(keep);
    assert.equal(pools.size, 1);
    await pools.closeAll(1000);
    assert.equal(pools.size, 0);
  });

  it('auto_sni keeps at most AUTO_SNI_POOLS pools per endpoint (least recently used closed)', async () => {
    const s = settings({
      ...TLS,
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': TYPE_URL.upstreamHttpProtocolOptions, upstream_http_protocol_options: { auto_sni: true } },
      },
    });
    assert.equal(s.autoSni, true);
    const pool = new AutoSniPool('https://127.0.0.1:1', s, target, memoryLogger());
    const handler: Dispatcher.DispatchHandler = { onConnect() {}, onError() {}, onHeaders: () => true, onData: () => true, onComplete() {} };
    for (let i = 0; i < AUTO_SNI_POOLS + 10; i++) pool.dispatch({ path: '/', method: 'GET', headers: { host: `h${i}.example.com` } }, handler);
    assert.equal(pool.size, AUTO_SNI_POOLS);
    pool.dispatch({ path: '/', method: 'GET', headers: { host: '10.0.0.1:443' } }, handler);
    assert.equal(pool.size, AUTO_SNI_POOLS, 'an IP literal uses the base pool');
    await pool.destroy();
  });
});
