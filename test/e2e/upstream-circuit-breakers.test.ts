/**
 * gateway-proxy end to end, circuit breakers (Envoy's `circuit_breakers.thresholds`, priority DEFAULT)
 * against an upstream that holds requests open on command: `max_requests` and `max_pending_requests`
 * overflow answers 503 `x-envoy-overloaded: true` with flag UO and `upstream_rq_pending_overflow`;
 * `max_connections` makes requests wait (`upstream_cx_overflow`); `max_retries` stops retries
 * (`upstream_rq_retry_overflow`, the upstream's own answer goes to the client); slots come back when
 * requests end, and the counters survive a config update.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cluster, Route, XdsSnapshot } from '../../src/xds/envoy-types.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { waitFor } from '../helpers/gloo-process.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { hcm, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

function breakers(t: Record<string, number>): Partial<Cluster> {
  const thresholds: Record<string, { value: number }> = {};
  for (const [k, v] of Object.entries(t)) thresholds[k] = { value: v };
  return { circuit_breakers: { thresholds: [thresholds] } };
}

describe('gateway-proxy circuit breakers (e2e)', () => {
  let up: UpstreamServer;
  let h: ProxyHarness;
  let port: number;
  let base: string;
  let dir: string;
  let s1: XdsSnapshot;
  const open = new Set<ClientRequest>();

  /** A request the upstream holds open until `release()` (the client goes away). */
  async function hold(path: string): Promise<{ release(): void }> {
    const arrived = up.nextRequest();
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { 'x-upstream-hang': '1' }, agent: false });
    req.on('error', () => undefined);
    req.end();
    open.add(req);
    await arrived;
    return {
      release: () => {
        req.destroy();
        open.delete(req);
      },
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gloo-ts-cb-'));
    up = await UpstreamServer.start('cb');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const ep = [{ address: '127.0.0.1', port: up.port }];
    const clusters = [
      staticCluster('one-request', ep, breakers({ max_requests: 1 })),
      staticCluster('one-connection', ep, breakers({ max_connections: 1, max_pending_requests: 1 })),
      staticCluster('no-retries', ep, breakers({ max_retries: 0 })),
      staticCluster('defaults', ep),
    ];
    const retry5xx = { retry_on: '5xx', num_retries: { value: 2 }, retry_back_off: { base_interval: { seconds: '0', nanos: 1_000_000 } } };
    const routes: Route[] = [
      prefixRoute('/one-request/retrying', 'one-request', { route: { cluster: 'one-request', retry_policy: retry5xx } }),
      prefixRoute('/one-request', 'one-request'),
      prefixRoute('/one-connection', 'one-connection'),
      prefixRoute('/no-retries', 'no-retries', { route: { cluster: 'no-retries', retry_policy: retry5xx } }),
      prefixRoute('/defaults', 'defaults', { route: { cluster: 'defaults', retry_policy: retry5xx } }),
    ];
    const manager = hcm('routes', {
      access_log: [
        {
          name: 'envoy.access_loggers.file',
          typed_config: {
            '@type': TYPE_URL.fileAccessLog,
            path: join(dir, 'access.log'),
            log_format: { text_format_source: { inline_string: '%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\n' } },
          },
        },
      ],
    });
    s1 = snapshot('1', {
      listeners: [{ name: 'main', address: { socket_address: { address: '127.0.0.1', port_value: port } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: manager }] }] }],
      clusters,
      routes: [routeConfig('routes', [vhost('main', ['*'], routes)])],
    });
    h = new ProxyHarness();
    await h.push(s1);
  });

  after(async () => {
    for (const r of open) r.destroy();
    await h.close();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stats = (cluster: string) => h.proxy.stats.clusters[cluster]!;

  async function logLine(path: string): Promise<string> {
    return waitFor(`access log line for ${path}`, () =>
      existsSync(join(dir, 'access.log'))
        ? readFileSync(join(dir, 'access.log'), 'utf8')
            .split('\n')
            .find((l) => l.startsWith(`${path} `))
        : undefined,
    );
  }

  it('max_requests: the request past the limit gets 503 x-envoy-overloaded (flag UO); the slot comes back', async () => {
    const held = await hold('/one-request/held');
    const r = await h.get(`${base}/one-request/second`);
    assert.equal(r.status, 503);
    assert.equal(r.headers['x-envoy-overloaded'], 'true');
    assert.equal(r.text, 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
    assert.equal(stats('one-request').upstream_rq_pending_overflow, 1);
    assert.match(await logLine('/one-request/second'), / 503 UO$/);
    assert.ok(!up.received.some((x) => x.url === '/one-request/second'), 'the overflowing request never reached the upstream');
    // The router's full path (a retry policy) counts against the same limit, and never retries an overflow.
    const viaRouter = await h.get(`${base}/one-request/retrying`);
    assert.equal(viaRouter.status, 503);
    assert.equal(viaRouter.headers['x-envoy-overloaded'], 'true');
    assert.equal(stats('one-request').upstream_rq_retry, 0);
    held.release();
    await waitFor('the held request to end upstream', async () => (await h.get(`${base}/one-request/after`)).status === 200);
  });

  it('max_requests: counters survive a config update (in-flight requests still count)', async () => {
    const held = await hold('/one-request/held-across-update');
    await h.push({ ...s1, version: '2' });
    const r = await h.get(`${base}/one-request/after-update`);
    assert.equal(r.status, 503);
    assert.equal(r.headers['x-envoy-overloaded'], 'true');
    held.release();
    await waitFor('the slot to come back', async () => (await h.get(`${base}/one-request/ok-again`)).status === 200);
  });

  it('max_connections 1, max_pending_requests 1: one request waits for the connection, the next overflows', async () => {
    const held = await hold('/one-connection/held');
    const pending = h.get(`${base}/one-connection/pending`);
    await waitFor('the second request to wait for a connection', () => stats('one-connection').upstream_cx_overflow === 1);
    const third = await h.get(`${base}/one-connection/third`);
    assert.equal(third.status, 503);
    assert.equal(third.headers['x-envoy-overloaded'], 'true');
    assert.equal(stats('one-connection').upstream_rq_pending_overflow, 1);
    assert.ok(!up.received.some((x) => x.url === '/one-connection/pending'), 'the pending request waits for the busy connection');
    held.release();
    const p = await pending;
    assert.equal(p.status, 200, p.text);
  });

  it('max_retries 0: the retry is not attempted and the upstream answer goes to the client (flag UO)', async () => {
    const before = up.received.length;
    const r = await h.get(`${base}/no-retries/x`, { headers: { 'x-upstream-status': '503' } });
    assert.equal(r.status, 503);
    assert.equal(r.headers['x-upstream-name'], 'cb', 'the upstream response, not a local reply');
    assert.equal(r.headers['x-envoy-overloaded'], undefined);
    assert.equal(up.received.length - before, 1);
    assert.equal(stats('no-retries').upstream_rq_retry_overflow, 1);
    assert.equal(stats('no-retries').upstream_rq_retry, 0);
    assert.match(await logLine('/no-retries/x'), / 503 UO$/);
  });

  it("with Envoy's defaults (3 concurrent retries) the same request is retried", async () => {
    const before = up.received.length;
    const r = await h.get(`${base}/defaults/x`, { headers: { 'x-upstream-status': '503' } });
    assert.equal(r.status, 503);
    assert.equal(up.received.length - before, 3, 'first attempt and two retries');
    assert.equal(stats('defaults').upstream_rq_retry, 2);
    assert.equal(stats('defaults').upstream_rq_retry_overflow, 0);
  });
});
