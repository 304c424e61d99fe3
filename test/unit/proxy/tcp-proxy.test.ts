/**
 * tcp_proxy filter chains in the data plane: what compileListener decides (TCP-only listeners are
 * served, which chains need TLS inspection or a choice at accept, which chains are refused and why,
 * the HTTP-only listener keeps its no-choice fast path), what TcpProxy reads from its config
 * (defaults, weighted split, sni_cluster), and, with real sockets through the ListenerManager: no
 * route / no healthy host / connect failures close the connection and count, max_connect_attempts
 * moves on to the next host, and a removed listener lets its TCP connections run until the drain
 * deadline, then cuts them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { compileListener, type ListenerCompileContext, type ServedChain } from '../../../src/proxy/listener/compile-listener.js';
import { ListenerManager } from '../../../src/proxy/listener/listener-manager.js';
import { compileRouteConfiguration } from '../../../src/proxy/router/route-table.js';
import { clusterStatsFor, createProxyStats, type ProxyStats } from '../../../src/proxy/stats.js';
import { DEFAULT_TCP_IDLE_TIMEOUT_MS, TcpProxy } from '../../../src/proxy/tcp/tcp-proxy.js';
import { HostSet, UpstreamHost } from '../../../src/proxy/upstream/host.js';
import { RoundRobinLoadBalancer } from '../../../src/proxy/upstream/lb/round-robin.js';
import { ClusterSet, UpstreamCluster } from '../../../src/proxy/upstream/upstream-cluster.js';
import type { FilterChain, Listener } from '../../../src/xds/envoy-types.js';
import { freePort } from '../../helpers/ports.js';
import { fakeClusters, memoryLogger } from './fakes.js';
import { hcm, routeConfig, vhost } from './snapshot-builders.js';

const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

function tcpChain(config: Record<string, unknown>, extra: Partial<FilterChain> = {}): FilterChain {
  return { filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': TCP_PROXY_TYPE, stat_prefix: 'tcp', ...config } }], ...extra } as FilterChain;
}

function listener(chains: FilterChain[], port = 0): Listener {
  return { name: 'tcp-listener', address: { socket_address: { address: '127.0.0.1', port_value: port } }, filter_chains: chains } as unknown as Listener;
}

/** Real clusters whose hosts are 127.0.0.1 ports (round robin, 1 s connect timeout unless given). */
function clustersOf(stats: ProxyStats, spec: Record<string, number[]>, connectTimeoutMs = 1000): ClusterSet {
  const map = new Map<string, UpstreamCluster>();
  for (const [name, ports] of Object.entries(spec)) {
    const hs = new HostSet(ports.map((p) => new UpstreamHost('127.0.0.1', p, null, 1, 0, {} as Dispatcher)));
    map.set(name, new UpstreamCluster(name, clusterStatsFor(stats, name), hs, new RoundRobinLoadBalancer(hs), connectTimeoutMs));
  }
  return new ClusterSet(map);
}

function ctxOf(clusters: ClusterSet, stats = createProxyStats(), logger = memoryLogger()): ListenerCompileContext & { logger: ReturnType<typeof memoryLogger> } {
  return { routeTables: new Map(), clusters, stats, logger };
}

test('a listener with only tcp_proxy chains is served; plain chains need no TLS inspection, SNI chains do', () => {
  const ctx = ctxOf(fakeClusters('db'));
  const plain = compileListener(listener([tcpChain({ cluster: 'db' })]), ctx)!;
  assert.ok(plain, 'served');
  assert.equal(plain.connectionManager, null);
  assert.equal(plain.hasTcpChains, true);
  assert.equal(plain.inspectTls, false, 'a plain TCP chain: server-first protocols work (nothing is read before connecting)');
  assert.ok(plain.chainSelector);
  assert.equal(plain.settings.headersTimeout, 60_000, 'default server settings without an HCM');

  const sni = compileListener(listener([tcpChain({ cluster: 'db' }, { filter_chain_match: { server_names: ['db.example.com'] } })]), ctx)!;
  assert.equal(sni.inspectTls, true);
  const sniCluster = compileListener(
    listener([{ filters: [{ name: 'envoy.filters.network.sni_cluster', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.sni_cluster.v3.SniCluster' } }, ...tcpChain({ cluster: '' }).filters] }]),
    ctx,
  )!;
  assert.equal(sniCluster.inspectTls, true, 'sni_cluster reads the SNI');
});

test('an HTTP-only listener keeps the no-choice fast path; a hybrid listener chooses HTTP or TCP per connection', () => {
  const logger = memoryLogger();
  const clusters = fakeClusters('db');
  const routeTables = new Map([['r', compileRouteConfiguration(routeConfig('r', [vhost('v', ['*'], [{ match: { prefix: '/' }, direct_response: { status: 200 } }])]), clusters, logger)]]);
  const http = { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm('r') }] } as FilterChain;
  const only = compileListener(listener([http]), { routeTables, clusters, stats: createProxyStats(), logger })!;
  assert.equal(only.chainSelector, null);
  assert.equal(only.hasTcpChains, false);
  assert.ok(only.connectionManager);

  const hybrid = compileListener(
    listener([tcpChain({ cluster: 'db' }, { filter_chain_match: { source_prefix_ranges: [{ address_prefix: '127.0.0.2', prefix_len: { value: 32 } }] } }), http]),
    { routeTables, clusters, stats: createProxyStats(), logger },
  )!;
  assert.equal(hybrid.hasTcpChains, true);
  assert.equal(hybrid.inspectTls, false);
  assert.ok(hybrid.connectionManager, 'the HTTP chain is the default connection manager');
  const pick = (ip: string): ServedChain | null => hybrid.chainSelector!.select(ip);
  assert.ok(pick('127.0.0.2')?.tcp instanceof TcpProxy);
  assert.equal(pick('127.0.0.2')?.cm, null);
  assert.ok(pick('127.0.0.1')?.cm);
  assert.equal(pick('127.0.0.1')?.tcp, null);
});

test('chains this data plane cannot run as Envoy would are left out with a log line', () => {
  const ctx = ctxOf(fakeClusters('db'));
  const rbacFirst: FilterChain = { filters: [{ name: 'envoy.filters.network.rbac', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC' } }, ...tcpChain({ cluster: 'db' }).filters] };
  assert.equal(compileListener(listener([rbacFirst]), ctx), null, 'a network filter before tcp_proxy would be skipped: refused');
  assert.equal(compileListener(listener([tcpChain({ cluster: 'db', tunneling_config: { hostname: 'h:443' } })]), ctx), null, 'tunneling would send HTTP CONNECT: refused');
  assert.equal(compileListener(listener([{ filters: [{ name: 'envoy.filters.network.echo', typed_config: { '@type': 'x' } }] } as FilterChain]), ctx), null);
  assert.equal(compileListener(listener([tcpChain({ weighted_clusters: { clusters: [{ name: 'db', weight: 0 }] } })]), ctx), null, 'no positive weight');
  const badTls = tcpChain({ cluster: 'db' }, { transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext' } } });
  assert.equal(compileListener(listener([badTls]), ctx), null, 'a TLS chain without certificates is never served as plain TCP');
  const warnings = ctx.logger.entries.filter((e) => e.level === 'warn').map((e) => e.msg);
  assert.equal(warnings.filter((m) => /TCP filter chain rejected/.test(m)).length, 3);
  assert.ok(warnings.some((m) => /neither an HTTP connection manager nor a TCP proxy/.test(m)));
  assert.ok(warnings.some((m) => /TLS context rejected/.test(m)));
  // One bad chain does not take the good one down.
  const mixed = compileListener(listener([rbacFirst, tcpChain({ cluster: 'db' })]), ctx)!;
  assert.equal(mixed.chainSelector!.values().length, 1);
});

test('TcpProxy reads Envoy defaults and settings; unknown fields are logged; a missing cluster is reported', () => {
  const logger = memoryLogger();
  const base = { clusters: fakeClusters('db'), stats: createProxyStats(), logger, sinks: null, listener: 'l' };
  const filters = (cfg: Record<string, unknown>) => tcpChain(cfg).filters;
  const d = TcpProxy.fromFilters(filters({ cluster: 'db' }), base)!;
  assert.equal(d.idleTimeoutMs, DEFAULT_TCP_IDLE_TIMEOUT_MS);
  assert.equal(d.idleTimeoutMs, 3_600_000);
  assert.equal(d.maxConnectAttempts, 1);
  assert.equal(d.statPrefix, 'tcp');
  const s = TcpProxy.fromFilters(filters({ cluster: 'db', stat_prefix: 'db', idle_timeout: { seconds: '0', nanos: 0 }, max_connect_attempts: { value: 3 }, hash_policy: [{}] }), base)!;
  assert.equal(s.idleTimeoutMs, 0, '0s disables the idle timeout');
  assert.equal(s.maxConnectAttempts, 3);
  assert.equal(s.statPrefix, 'db');
  assert.ok(base.stats.tcp.db, 'stats by stat_prefix');
  assert.ok(logger.entries.some((e) => /ignored/.test(e.msg) && (e.fields?.fields as string[]).includes('hash_policy')));
  const missing = TcpProxy.fromFilters(filters({ cluster: 'nope' }), base)!;
  assert.equal(missing.target(null).cluster, undefined);
  assert.ok(logger.entries.some((e) => /not in the snapshot/.test(e.msg)));
  assert.equal(TcpProxy.fromFilters([{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm('r') }], base), null);
});

test('weighted clusters split connections by weight; sni_cluster picks the cluster the SNI names', () => {
  const base = { clusters: fakeClusters('a', 'b', 'db'), stats: createProxyStats(), logger: memoryLogger(), sinks: null, listener: 'l' };
  const w = TcpProxy.fromFilters(tcpChain({ weighted_clusters: { clusters: [{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }, { name: 'db', weight: 0 }] } }).filters, base)!;
  const n = 20_000;
  let a = 0;
  for (let i = 0; i < n; i++) {
    const t = w.target(null).name;
    assert.ok(t === 'a' || t === 'b', 'a zero weight is never picked');
    if (t === 'a') a++;
  }
  // Binomial(n, 0.75): sigma ≈ 61; ±8 sigma cannot flake.
  assert.ok(Math.abs(a - 0.75 * n) < 8 * Math.sqrt(n * 0.75 * 0.25), `a got ${a} of ${n}`);

  const sni = TcpProxy.fromFilters(
    [{ name: 'envoy.filters.network.sni_cluster', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.sni_cluster.v3.SniCluster' } }, ...tcpChain({ cluster: 'db' }).filters],
    base,
  )!;
  assert.equal(sni.sniCluster, true);
  assert.equal(sni.target('a').cluster?.name, 'a');
  assert.equal(sni.target('unknown.example.com').cluster, undefined);
  assert.equal(sni.target(null).cluster?.name, 'db', 'no SNI: the configured cluster');
});

// ---- real sockets ------------------------------------------------------------------------------------

function echoServer(): Promise<Server & { port: number }> {
  return new Promise((resolve) => {
    const server = createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => s.destroy());
      s.pipe(s);
    });
    server.listen(0, '127.0.0.1', () => resolve(Object.assign(server, { port: (server.address() as { port: number }).port })));
  });
}

/** Sends `text` (without closing) and resolves with what came back once `want` bytes arrived, or null when the gateway closed. */
function exchange(port: number, text: string, keep = false): Promise<{ got: string | null; socket: Socket }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(text));
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.length >= text.length) {
        if (!keep) s.destroy();
        resolve({ got, socket: s });
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve({ got: got === '' ? null : got, socket: s }));
  });
}

async function serve(l: Listener, clusters: ClusterSet, stats: ProxyStats, drainTimeoutMs = 5000) {
  const logger = memoryLogger();
  const config = compileListener(l, { routeTables: new Map(), clusters, stats, logger })!;
  const manager = new ListenerManager({ logger, drainTimeoutMs, stats });
  await manager.apply([config]);
  return { manager, port: manager.status()[0]!.boundPort! };
}

test('connections without a cluster, without a usable host, or whose connects all fail are closed and counted', { timeout: 20_000 }, async () => {
  const stats = createProxyStats();
  const dead = await freePort();
  const clusters = clustersOf(stats, { empty: [], dead: [dead] });
  const chains = [
    tcpChain({ cluster: 'missing' }, { filter_chain_match: { source_prefix_ranges: [{ address_prefix: '127.0.0.2', prefix_len: { value: 32 } }] } }),
    tcpChain({ cluster: 'empty' }, { filter_chain_match: { source_prefix_ranges: [{ address_prefix: '127.0.0.3', prefix_len: { value: 32 } }] } }),
    tcpChain({ cluster: 'dead', max_connect_attempts: { value: 3 } }),
  ];
  const { manager, port } = await serve(listener(chains), clusters, stats);
  const from = (localAddress: string) =>
    new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, localAddress }, () => s.write('x'));
      s.on('error', () => undefined);
      s.on('close', () => resolve());
    });
  try {
    await from('127.0.0.2');
    assert.equal(stats.tcp.tcp!.downstream_cx_no_route, 1);
    await from('127.0.0.3');
    assert.equal(stats.clusters.empty!.upstream_cx_none_healthy, 1);
    await from('127.0.0.1');
    assert.equal(stats.clusters.dead!.upstream_cx_total, 3, 'three attempts');
    assert.equal(stats.clusters.dead!.upstream_cx_connect_fail, 3);
    assert.equal(stats.clusters.dead!.upstream_cx_connect_attempts_exceeded, 1);
    assert.equal(stats.clusters.dead!.upstream_cx_active, 0);
    assert.equal(stats.tcp.tcp!.downstream_cx_total, 3);
  } finally {
    await manager.close(100);
  }
});

test('a removed listener keeps its TCP connections until the drain deadline, then cuts both sides', { timeout: 20_000 }, async () => {
  const stats = createProxyStats();
  const echo = await echoServer();
  const clusters = clustersOf(stats, { echo: [echo.port] });
  const { manager, port } = await serve(listener([tcpChain({ cluster: 'echo' })]), clusters, stats, 400);
  try {
    const first = await exchange(port, 'before', true);
    assert.equal(first.got, 'before');
    assert.equal(stats.clusters.echo!.upstream_cx_active, 1);
    const closed = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));
    const retired = manager.apply([]);
    await retired;
    // Still proxied while draining.
    const again = await new Promise<string>((resolve) => {
      let got = '';
      first.socket.on('data', (c: Buffer) => {
        got += c.toString();
        if (got.length >= 'during drain'.length) resolve(got);
      });
      first.socket.write('during drain');
    });
    assert.equal(again, 'during drain');
    await closed;
    await new Promise<void>((resolve) => {
      const check = () => (stats.clusters.echo!.upstream_cx_active === 0 ? resolve() : setTimeout(check, 20));
      check();
    });
  } finally {
    await manager.close(100);
    echo.close();
  }
});

test('max_connect_attempts moves on to the next host the balancer picks', { timeout: 20_000 }, async () => {
  const stats = createProxyStats();
  const echo = await echoServer();
  const dead = await freePort();
  const clusters = clustersOf(stats, { mixed: [dead, echo.port] });
  const { manager, port } = await serve(listener([tcpChain({ cluster: 'mixed', max_connect_attempts: { value: 2 } })]), clusters, stats);
  try {
    for (let i = 0; i < 4; i++) assert.equal((await exchange(port, `n${i}`)).got, `n${i}`);
    // Round robin over [dead, live]: each first attempt takes the dead host, its retry the live one.
    assert.equal(stats.clusters.mixed!.upstream_cx_connect_fail, 4);
    assert.equal(stats.clusters.mixed!.upstream_cx_total, 8);
    assert.equal(stats.clusters.mixed!.upstream_cx_connect_attempts_exceeded, 0);
  } finally {
    await manager.close(100);
    echo.close();
  }
});

/**
 * A listening socket that never accepts (Python, backlog 0): once one connection fills its queue, the
 * SYNs of the next ones are dropped and their connects hang — an upstream that does not answer.
 */
async function blackhole(): Promise<{ port: number; filler: Socket; stop: () => void } | null> {
  const py = spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise<number | null>((resolve) => {
    py.once('error', () => resolve(null));
    py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  if (port === null) return null;
  const filler = connect({ host: '127.0.0.1', port });
  filler.on('error', () => undefined);
  await new Promise((r) => filler.once('connect', r));
  // Does a second connect hang here? (It should on Linux; skip the test where it does not.)
  const probe = connect({ host: '127.0.0.1', port });
  probe.on('error', () => undefined);
  const hangs = await new Promise<boolean>((resolve) => {
    probe.once('connect', () => resolve(false));
    setTimeout(() => resolve(true), 300);
  });
  probe.destroy();
  const stop = () => {
    filler.destroy();
    py.kill();
  };
  if (!hangs) {
    stop();
    return null;
  }
  return { port, filler, stop };
}

test('a connect that does not complete within the cluster connect_timeout is cut and retried on the next host', { timeout: 20_000 }, async (t) => {
  const hole = await blackhole();
  if (hole === null) {
    t.skip('no python3, or connects to a full accept queue do not hang here');
    return;
  }
  const stats = createProxyStats();
  const echo = await echoServer();
  const clusters = clustersOf(stats, { slow: [hole.port, echo.port] }, 200);
  const { manager, port } = await serve(listener([tcpChain({ cluster: 'slow', max_connect_attempts: { value: 2 } })]), clusters, stats);
  try {
    assert.equal((await exchange(port, 'late but fine')).got, 'late but fine');
    assert.equal(stats.clusters.slow!.upstream_cx_connect_timeout, 1);
    assert.equal(stats.clusters.slow!.upstream_cx_connect_fail, 1);
    // With one attempt only, the timed-out connect closes the client's connection.
    const { manager: m1, port: p1 } = await serve(listener([tcpChain({ cluster: 'slow' })]), clustersOf(stats, { slow: [hole.port] }, 200), stats);
    try {
      assert.equal((await exchange(p1, 'x')).got, null);
      assert.equal(stats.clusters.slow!.upstream_cx_connect_timeout, 2);
      assert.equal(stats.clusters.slow!.upstream_cx_connect_attempts_exceeded, 1);
    } finally {
      await m1.close(100);
    }
  } finally {
    await manager.close(100);
    echo.close();
    hole.stop();
  }
});
