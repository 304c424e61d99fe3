/**
 * Outlier detection end to end: a real GatewayProxy and real upstream servers that answer 5xx or
 * refuse connections on command. An endpoint is ejected after N consecutive 5xx (or connect
 * failures, or failed retried attempts), comes back after its ejection time, is ejected for longer
 * each time, and no more than max_ejection_percent of a cluster is ejected; `/clusters` shows it.
 * Sweeps run every 100 ms; every wait polls for a condition with a generous deadline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { createLogger } from '../../src/logger.js';
import type { Cluster } from '../../src/xds/envoy-types.js';
import { waitFor } from '../helpers/gloo-process.js';
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
const ep = (u: UpstreamServer | number) => ({ address: '127.0.0.1', port: typeof u === 'number' ? u : u.port });

describe('outlier detection (e2e)', () => {
  let h: ProxyHarness;
  let admin: AdminServer;
  let port: number;
  let base: string;
  const servers: UpstreamServer[] = [];
  let ok: UpstreamServer;
  let flaky: UpstreamServer;
  let steady: UpstreamServer;
  let failing: UpstreamServer;
  let retryBad: UpstreamServer;
  let retryGood: UpstreamServer;
  let deadPort: number;
  const many: UpstreamServer[] = [];

  async function start(name: string): Promise<UpstreamServer> {
    const s = await UpstreamServer.start(name);
    servers.push(s);
    return s;
  }

  async function who(path: string): Promise<{ status: number; name?: string; text: string }> {
    const r = await h.get(base + path);
    let name: string | undefined;
    try {
      name = (JSON.parse(r.text) as EchoResponse).name;
    } catch {
      name = undefined;
    }
    return { status: r.status, name, text: r.text };
  }

  async function clustersText(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${admin.port}/clusters`)).text();
  }

  function flagsOf(text: string, cluster: string, upstreamPort: number): string | undefined {
    return new RegExp(`^${cluster}::127\\.0\\.0\\.1:${upstreamPort}::health_flags::(.*)$`, 'm').exec(text)?.[1];
  }

  function ejectionsOf(upstreamPort: number): number[] {
    return h.logs
      .filter((l) => l.msg === 'upstream host ejected by outlier detection' && l.fields?.host === `127.0.0.1:${upstreamPort}`)
      .map((l) => Number(l.fields?.ejectionMs));
  }

  before(async () => {
    ok = await start('ok');
    flaky = await start('flaky');
    steady = await start('steady');
    failing = await start('failing');
    failing.setStatus(503);
    retryBad = await start('retry-bad');
    retryBad.setStatus(502);
    retryGood = await start('retry-good');
    for (let i = 0; i < 4; i++) {
      const s = await start(`many-${i}`);
      s.setStatus(500);
      many.push(s);
    }
    deadPort = await freePort();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = new ProxyHarness();
    admin = await startAdminServer({ ready: () => true, clusters: () => h.proxy.clusterStatuses(), logger: createLogger({ level: 'silent' }) }, 0);
    const od = (extra: Record<string, unknown>) => ({ interval: ms(100), max_ejection_percent: { value: 50 }, ...extra });
    const clusters: Cluster[] = [
      staticCluster('od', [ep(ok), ep(flaky)], { outlier_detection: od({ consecutive_5xx: { value: 3 }, base_ejection_time: ms(1000) }) }),
      staticCluster('grow', [ep(steady), ep(failing)], {
        outlier_detection: od({ consecutive_5xx: { value: 1 }, base_ejection_time: ms(200), max_ejection_time: ms(2000) }),
      }),
      staticCluster('refused', [ep(ok), ep(deadPort)], { outlier_detection: od({ consecutive_5xx: { value: 3 }, base_ejection_time: ms(30_000) }) }),
      staticCluster('retried', [ep(retryBad), ep(retryGood)], { outlier_detection: od({ consecutive_5xx: { value: 3 }, base_ejection_time: ms(30_000) }) }),
      staticCluster('many', many.map(ep), { outlier_detection: od({ consecutive_5xx: { value: 2 }, base_ejection_time: ms(30_000) }) }),
    ];
    await h.push(
      snapshot('1', {
        listeners: [httpListener(`listener-${port}`, '127.0.0.1', port, 'routes')],
        clusters,
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/od', 'od'),
              prefixRoute('/grow', 'grow'),
              prefixRoute('/refused', 'refused'),
              prefixRoute('/retried', 'retried', {
                route: { cluster: 'retried', retry_policy: { retry_on: '5xx', num_retries: { value: 1 }, retry_back_off: { base_interval: ms(1) } } },
              }),
              prefixRoute('/many', 'many'),
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h?.close();
    await admin?.close();
    for (const s of servers) await s.close();
  });

  it('ejects an endpoint after consecutive 5xx and brings it back after its ejection time', async () => {
    flaky.setStatus(503);
    await waitFor('flaky ejected', async () => {
      await who('/od');
      return flagsOf(await clustersText(), 'od', flaky.port) === '/failed_outlier_check';
    });
    assert.equal((h.proxy.stats.clusters['od'] as any).outlier_detection_ejections_enforced_consecutive_5xx, 1);
    assert.equal(h.proxy.stats.clusters['od']!.outlier_detection_ejections_active, 1);
    const text = await clustersText();
    assert.match(text, new RegExp(`^od::127\\.0\\.0\\.1:${flaky.port}::rq_error::([3-9]|\\d\\d+)$`, 'm'));
    const json = (await (await fetch(`http://127.0.0.1:${admin.port}/clusters?format=json`)).json()) as any;
    const host = json.cluster_statuses.find((c: any) => c.name === 'od').host_statuses.find((x: any) => x.address.socket_address.port_value === flaky.port);
    assert.equal(host.health_status.failed_outlier_check, true);

    // While ejected, every request goes to the other endpoint…
    const seen = flaky.received.length;
    for (let i = 0; i < 5; i++) assert.equal((await who('/od')).status, 200);
    if (flagsOf(await clustersText(), 'od', flaky.port) === '/failed_outlier_check') {
      assert.equal(flaky.received.length, seen, 'an ejected endpoint gets no traffic');
    }
    // …and once the ejection time is over, it gets traffic again.
    flaky.setStatus(200);
    await waitFor('flaky back in rotation', async () => (await who('/od')).name === 'flaky');
    assert.equal(flagsOf(await clustersText(), 'od', flaky.port), 'healthy');
  });

  it('an endpoint ejected again is ejected for longer each time', async () => {
    // Requests back to back (no pause between them): a returning endpoint is hit again at once.
    const deadline = Date.now() + 30_000;
    while (ejectionsOf(failing.port).length < 4 && Date.now() < deadline) await who('/grow');
    const times = ejectionsOf(failing.port);
    assert.equal(times[0], 200, 'base_ejection_time the first time');
    assert.ok(Math.max(...times.slice(1)) > times[0]!, `later ejections last longer: ${times.join(', ')}`);
    for (const t of times) assert.ok(t <= 2000, 'never more than max_ejection_time');
    // The steady endpoint was never ejected.
    assert.deepEqual(ejectionsOf(steady.port), []);
  });

  it('connect failures count as 5xx: a refusing endpoint is ejected and traffic stops trying it', async () => {
    await waitFor('the refusing endpoint ejected', async () => {
      await who('/refused');
      return flagsOf(await clustersText(), 'refused', deadPort) === '/failed_outlier_check';
    });
    const fails = h.proxy.stats.clusters['refused']!.upstream_cx_connect_fail;
    for (let i = 0; i < 20; i++) {
      const r = await who('/refused');
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(h.proxy.stats.clusters['refused']!.upstream_cx_connect_fail, fails, 'no more connection attempts');
    assert.match(await clustersText(), new RegExp(`^refused::127\\.0\\.0\\.1:${deadPort}::cx_connect_fail::[3-9]$`, 'm'));
  });

  it('attempts the router retries are reported too: the bad endpoint is ejected and retries stop', async () => {
    await waitFor('retry-bad ejected', async () => {
      const r = await who('/retried');
      assert.equal(r.status === 200 || r.status === 502, true);
      return flagsOf(await clustersText(), 'retried', retryBad.port) === '/failed_outlier_check';
    });
    const retries = h.proxy.stats.clusters['retried']!.upstream_rq_retry;
    for (let i = 0; i < 20; i++) {
      const r = await who('/retried');
      assert.equal(r.status, 200);
      assert.equal(r.name, 'retry-good');
    }
    assert.equal(h.proxy.stats.clusters['retried']!.upstream_rq_retry, retries);
  });

  it('never ejects more than max_ejection_percent of a cluster', async () => {
    const stats = () => h.proxy.stats.clusters['many']!;
    await waitFor('ejections capped', async () => {
      for (let i = 0; i < 8; i++) await who('/many');
      return (stats().outlier_detection_ejections_overflow ?? 0) >= 2;
    });
    const text = await clustersText();
    const ejected = many.filter((s) => flagsOf(text, 'many', s.port) === '/failed_outlier_check');
    assert.equal(ejected.length, 2, '50 % of 4 endpoints');
    assert.equal(stats().outlier_detection_ejections_active, 2);
    // The endpoints left in rotation still get the traffic (their 500s), not "no healthy upstream".
    const r = await who('/many');
    assert.equal(r.status, 500);
  });
});
