/**
 * Active health checking end to end: a real GatewayProxy with real upstream servers that die, come
 * back, answer unexpected statuses, reply wrongly over TCP or say NOT_SERVING over gRPC. Traffic leaves
 * an endpoint that fails its checks and returns when it passes again; health survives config updates;
 * a new checked cluster is warmed before it takes traffic; the admin `/clusters` page shows the flags.
 * The last suite runs `gloo run` on Gloo YAML (an Upstream with `healthChecks` and
 * `outlierDetection`) and reads the health back through `/clusters`, `/metrics` and
 * `glooctl get upstream -o wide`.
 * Health-check intervals are 100 ms; every wait polls for a condition with a generous deadline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { createLogger } from '../../src/logger.js';
import type { Cluster, Route } from '../../src/xds/envoy-types.js';
import fs from 'node:fs';
import { getFreePort, glooctl, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { GrpcHealthServer, TcpPingServer } from '../helpers/health-servers.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster as staticClusterOf, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

/**
 * Clusters without Envoy's panic mode (`healthy_panic_threshold: 0`): with it (50 % by default), a
 * cluster whose hosts are all unhealthy balances over all of them, which would hide what these tests
 * check.
 */
const NO_PANIC = { common_lb_config: { healthy_panic_threshold: { value: 0 } } };
const staticCluster = (name: string, endpoints: Parameters<typeof staticClusterOf>[1], extra: Partial<Cluster> = {}): Cluster =>
  staticClusterOf(name, endpoints, { ...NO_PANIC, ...extra });


const ms = (n: number) => ({ seconds: String(Math.floor(n / 1000)), nanos: (n % 1000) * 1e6 });

/** A check every 100 ms, also before the cluster has traffic. */
function check(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    timeout: ms(1000),
    interval: ms(100),
    no_traffic_interval: ms(100),
    unhealthy_threshold: { value: 1 },
    healthy_threshold: { value: 1 },
    ...extra,
  };
}

const httpCheck = (path = '/healthz', extra: Record<string, unknown> = {}) => check({ http_health_check: { path, ...extra } });

describe('active health checks (e2e)', () => {
  let h: ProxyHarness;
  let admin: AdminServer;
  let a: UpstreamServer;
  let b: UpstreamServer;
  let c: UpstreamServer;
  let tcp: TcpPingServer;
  let grpcServer: GrpcHealthServer;
  let port: number;
  let base: string;
  let version = 0;
  let clusters: Cluster[];
  let routes: Route[];

  async function push(): Promise<void> {
    await h.push(
      snapshot(String(++version), {
        listeners: [httpListener(`listener-${port}`, '127.0.0.1', port, 'routes')],
        clusters,
        routes: [routeConfig('routes', [vhost('main', ['*'], routes)])],
      }),
    );
  }

  async function clustersText(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${admin.port}/clusters`)).text();
  }

  function flagsOf(text: string, cluster: string, upstreamPort: number): string | undefined {
    return new RegExp(`^${cluster}::127\\.0\\.0\\.1:${upstreamPort}::health_flags::(.*)$`, 'm').exec(text)?.[1];
  }

  async function waitForFlags(cluster: string, upstreamPort: number, want: string): Promise<void> {
    await waitFor(`${cluster} ${upstreamPort} health_flags ${want}`, async () => flagsOf(await clustersText(), cluster, upstreamPort) === want);
  }

  async function who(path = '/'): Promise<{ status: number; name?: string; text: string }> {
    const r = await h.get(base + path);
    let name: string | undefined;
    try {
      name = (JSON.parse(r.text) as EchoResponse).name;
    } catch {
      name = undefined;
    }
    return { status: r.status, name, text: r.text };
  }

  before(async () => {
    a = await UpstreamServer.start('a');
    b = await UpstreamServer.start('b');
    c = await UpstreamServer.start('c');
    for (const u of [a, b]) u.setPathStatus('/healthz', 200);
    c.setPathStatus('/status-check', 204);
    tcp = await TcpPingServer.start('PING', 'PONG');
    grpcServer = await GrpcHealthServer.start({ 'echo.Echo': 'SERVING' });
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = new ProxyHarness();
    admin = await startAdminServer({ ready: () => true, clusters: () => h.proxy.clusterStatuses(), logger: createLogger({ level: 'silent' }) }, 0);
    clusters = [
      staticCluster('pair', [{ address: '127.0.0.1', port: a.port }, { address: '127.0.0.1', port: b.port }], { health_checks: [httpCheck()] }),
      staticCluster('statuses', [{ address: '127.0.0.1', port: c.port }], {
        health_checks: [
          httpCheck('/status-check', {
            host: 'check.example',
            method: 'GET',
            expected_statuses: [{ start: '200', end: '205' }],
            request_headers_to_add: [{ header: { key: 'x-probe', value: 'gloo' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
            request_headers_to_remove: ['user-agent'],
          }),
        ],
      }),
      staticCluster('tcp', [{ address: '127.0.0.1', port: tcp.port }], {
        health_checks: [check({ timeout: ms(300), tcp_health_check: { send: { text: '50494E47' }, receive: [{ text: '504F4E47' }] } })],
      }),
      staticCluster('grpc', [{ address: '127.0.0.1', port: grpcServer.port }], {
        health_checks: [check({ grpc_health_check: { service_name: 'echo.Echo', authority: 'grpc.internal' } })],
      }),
    ];
    routes = [prefixRoute('/statuses', 'statuses'), prefixRoute('/', 'pair')];
    await push();
  });

  after(async () => {
    await h?.close();
    await admin?.close();
    for (const s of [a, b, c]) await s?.close();
    await tcp?.close();
    await grpcServer?.close();
  });

  it('traffic leaves a killed endpoint once its check fails, and returns when it is back', async () => {
    await waitFor('both endpoints serving', async () => {
      const seen = new Set<string | undefined>();
      for (let i = 0; i < 6; i++) seen.add((await who()).name);
      return seen.has('a') && seen.has('b');
    });
    await a.kill();
    await waitForFlags('pair', a.port, '/failed_active_hc');
    for (let i = 0; i < 20; i++) {
      const r = await who();
      assert.equal(r.status, 200, r.text);
      assert.equal(r.name, 'b');
    }
    const json = (await (await fetch(`http://127.0.0.1:${admin.port}/clusters?format=json`)).json()) as any;
    const pair = json.cluster_statuses.find((x: any) => x.name === 'pair');
    const dead = pair.host_statuses.find((x: any) => x.address.socket_address.port_value === a.port);
    assert.equal(dead.health_status.failed_active_health_check, true);
    assert.ok(h.proxy.stats.clusters['pair']!.health_check_network_failure! > 0);
    assert.equal(h.proxy.stats.clusters['pair']!.health_check_healthy, 1);

    await a.revive();
    await waitForFlags('pair', a.port, 'healthy');
    await waitFor('traffic back on a', async () => (await who()).name === 'a' || (await who()).name === 'a');
  });

  it('health survives config updates: a failed endpoint gets no traffic from the new config either', async () => {
    await b.kill();
    await waitForFlags('pair', b.port, '/failed_active_hc');
    const before = h.proxy.stats.clusters['pair']!.health_check_attempt!;
    routes = [prefixRoute('/statuses', 'statuses'), prefixRoute('/extra', 'pair'), prefixRoute('/', 'pair')];
    await push();
    // Right after the swap, before any new check could run: no request reaches the dead endpoint.
    for (let i = 0; i < 10; i++) {
      const r = await who('/extra');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.name, 'a');
    }
    assert.equal(flagsOf(await clustersText(), 'pair', b.port), '/failed_active_hc');
    await waitFor('checks keep running', () => h.proxy.stats.clusters['pair']!.health_check_attempt! > before + 2);
    await b.revive();
    await waitForFlags('pair', b.port, 'healthy');
  });

  it('HTTP check: path, Host, header edits and expected statuses decide the health', async () => {
    await waitForFlags('statuses', c.port, 'healthy');
    const r = await who('/statuses');
    assert.equal(r.status, 200);
    assert.equal(r.name, 'c');
    const hc = c.requestsTo('/status-check').at(-1)!;
    assert.equal(hc.method, 'GET');
    assert.equal(hc.headers.host, 'check.example');
    assert.equal(hc.headers['x-probe'], 'gloo');
    assert.equal(hc.headers['user-agent'], undefined);

    c.setPathStatus('/status-check', 503);
    await waitForFlags('statuses', c.port, '/failed_active_hc');
    const down = await who('/statuses');
    assert.equal(down.status, 503);
    assert.match(down.text, /no healthy upstream/);

    c.setPathStatus('/status-check', 200);
    await waitForFlags('statuses', c.port, 'healthy');
    assert.equal((await who('/statuses')).status, 200);
  });

  it('TCP check: the expected reply to the sent payload keeps the host healthy', async () => {
    await waitForFlags('tcp', tcp.port, 'healthy');
    assert.ok(tcp.received.some((d) => d.toString().includes('PING')));
    tcp.setReply('NOPE');
    await waitForFlags('tcp', tcp.port, '/failed_active_hc/active_hc_timeout');
    tcp.setReply('PONG');
    await waitForFlags('tcp', tcp.port, 'healthy');
  });

  it('gRPC check: NOT_SERVING makes the host unhealthy, SERVING brings it back', async () => {
    await waitForFlags('grpc', grpcServer.port, 'healthy');
    assert.equal(grpcServer.checks.at(-1)!.service, 'echo.Echo');
    grpcServer.setStatus('echo.Echo', 'NOT_SERVING');
    await waitForFlags('grpc', grpcServer.port, '/failed_active_hc');
    grpcServer.setStatus('echo.Echo', 'SERVING');
    await waitForFlags('grpc', grpcServer.port, 'healthy');
  });

  it('thresholds: unhealthy after unhealthy_threshold network failures, healthy after healthy_threshold passes', async () => {
    const d = await UpstreamServer.start('d');
    d.setPathStatus('/healthz', 200);
    try {
      clusters = [
        ...clusters,
        staticCluster('thresholds', [{ address: '127.0.0.1', port: d.port }], {
          health_checks: [httpCheck('/healthz', {})].map((x) => ({ ...x, unhealthy_threshold: { value: 3 }, healthy_threshold: { value: 2 } })),
        }),
      ];
      await push();
      const stats = () => h.proxy.stats.clusters['thresholds']!;
      await waitForFlags('thresholds', d.port, 'healthy');
      const failuresBefore = stats().health_check_network_failure!;
      await d.kill();
      await waitForFlags('thresholds', d.port, '/failed_active_hc');
      assert.ok(stats().health_check_network_failure! - failuresBefore >= 3, 'three network failures in a row before the flag');
      // No check of this single-host cluster succeeds while it is down: count from here.
      const successesBefore = stats().health_check_success!;
      await d.revive();
      await waitForFlags('thresholds', d.port, 'healthy');
      assert.ok(stats().health_check_success! - successesBefore >= 2, 'two passes in a row before it is healthy again');
    } finally {
      await d.close();
    }
  });

  it('a new cluster with checks is warmed: its first round completes before the config takes traffic', async () => {
    const e = await UpstreamServer.start('e');
    e.setPathStatus('/healthz', 200);
    const deadPort = await freePort();
    try {
      clusters = [
        ...clusters,
        staticCluster('warm', [{ address: '127.0.0.1', port: e.port }], { health_checks: [{ ...httpCheck(), no_traffic_interval: ms(60_000) }] }),
        staticCluster('cold', [{ address: '127.0.0.1', port: deadPort }], { health_checks: [httpCheck()] }),
      ];
      routes = [prefixRoute('/warm', 'warm'), prefixRoute('/cold', 'cold'), ...routes];
      await push();
      // Without warming, hosts of a new checked cluster would still be failed-pending here (503).
      const warm = await who('/warm');
      assert.equal(warm.status, 200, warm.text);
      assert.equal(warm.name, 'e');
      // The dead endpoint was checked too: 503 "no healthy upstream", never a connection attempt.
      const cold = await who('/cold');
      assert.equal(cold.status, 503);
      assert.match(cold.text, /no healthy upstream/);
      assert.equal(h.proxy.stats.clusters['cold']!.upstream_cx_connect_fail, 0);
    } finally {
      await e.close();
    }
  });
});

describe('gloo run: an Upstream with healthChecks, seen through /clusters, /metrics and glooctl (e2e)', () => {
  let live: UpstreamServer;
  let deadPort: number;
  const dirs: string[] = [];
  const running: GlooProcess[] = [];

  /** A config directory: a gateway on `port`, the checked Upstream `echo` (one live, one dead host), a VirtualService. */
  function configDir(port: number): string {
    const dir = makeConfigDir('gloo-health-');
    dirs.push(dir);
    writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
    writeConfig(
      dir,
      'upstreams/gloo-system/echo.yaml',
      `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: echo, namespace: gloo-system}
spec:
  static:
    hosts:
    - {addr: 127.0.0.1, port: ${live.port}}
    - {addr: 127.0.0.1, port: ${deadPort}}
  healthChecks:
  - healthyThreshold: 1
    unhealthyThreshold: 1
    interval: 0.1s
    noTrafficInterval: 0.1s
    timeout: 1s
    httpHealthCheck:
      path: /check/healthz
      requestHeadersToAdd: [{header: {key: x-from, value: gloo}}]
  outlierDetection:
    consecutive5xx: 3
    interval: 1s
  loadBalancerConfig: {healthyPanicThreshold: 0}
`,
    );
    writeConfig(
      dir,
      'virtualservices/gloo-system/vs.yaml',
      `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vs, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: echo, namespace: gloo-system}}}
`,
    );
    return dir;
  }

  async function deadHostFlagged(gloo: GlooProcess): Promise<void> {
    await waitFor('the dead host flagged', async () => {
      const text = await (await fetch(`${gloo.adminUrl}/clusters`)).text();
      return text.includes(`echo_gloo-system::127.0.0.1:${deadPort}::health_flags::/failed_active_hc\n`) && text.includes(`echo_gloo-system::127.0.0.1:${live.port}::health_flags::healthy\n`);
    });
  }

  before(async () => {
    live = await UpstreamServer.start('live');
    live.setPathStatus('/check/healthz', 200);
    deadPort = await getFreePort();
  });

  after(async () => {
    for (const g of running) await g.stop();
    await live?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('checks the Upstream hosts: the dead one is out of rotation and shown as failed_active_hc', async () => {
    const port = await getFreePort();
    const gloo = await startGloo(configDir(port));
    running.push(gloo);
    await deadHostFlagged(gloo);
    assert.equal(live.requestsTo('/check/healthz').at(-1)!.headers['x-from'], 'gloo');
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as EchoResponse).name, 'live');
    }

    const metrics = await (await fetch(`${gloo.adminUrl}/metrics`)).text();
    assert.match(metrics, /# TYPE envoy_cluster_health_check_healthy gauge/);
    assert.match(metrics, /envoy_cluster_health_check_healthy\{envoy_cluster_name="echo_gloo-system"\} 1/);
    assert.match(metrics, /envoy_cluster_membership_healthy\{envoy_cluster_name="echo_gloo-system"\} 1/);
    assert.match(metrics, /# TYPE envoy_cluster_health_check_failure counter/);
    assert.match(metrics, /envoy_cluster_outlier_detection_ejections_active\{envoy_cluster_name="echo_gloo-system"\} 0/);

    const wide = await glooctl(gloo, 'get', 'upstream', 'echo', '-o', 'wide');
    assert.equal(wide.code, 0, wide.stderr);
    assert.match(wide.stdout, /UPSTREAM \| +TYPE +\| +STATUS +\| +DETAILS +\| +HEALTH/);
    assert.match(wide.stdout, /\| 1\/2 healthy/);
    assert.match(wide.stdout, new RegExp(`- 127\\.0\\.0\\.1:${deadPort} failed_active_hc`));
    const table = await glooctl(gloo, 'get', 'upstream', 'echo');
    assert.doesNotMatch(table.stdout, /HEALTH/, 'the default table keeps Gloo\'s columns');
  });

  it('with --workers 2, /clusters and glooctl show the workers\' merged view', async () => {
    const port = await getFreePort();
    const gloo = await startGloo(configDir(port), ['--workers', '2']);
    running.push(gloo);
    await deadHostFlagged(gloo);
    const wide = await glooctl(gloo, 'get', 'us', 'echo', '-o', 'wide');
    assert.equal(wide.code, 0, wide.stderr);
    assert.match(wide.stdout, /\| 1\/2 healthy/);
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })).status, 200);
  });
});
