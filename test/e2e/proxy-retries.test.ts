/**
 * gateway-proxy end to end, Envoy router semantics: retries (5xx, connect-failure, retriable status
 * codes, per-try timeout, body buffer limit), stream idle timeout, request mirroring, host rewrites
 * from a header or a path regex, `%VAR%` header formatters and path normalisation before matching.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { RetryPolicy } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const FAST_BACKOFF = { base_interval: { seconds: 0, nanos: 1_000_000 } };

function retry(p: RetryPolicy): RetryPolicy {
  return { retry_back_off: FAST_BACKOFF, ...p };
}

/** A raw HTTP/1.1 GET whose path is sent as is (undici would normalise `..` client-side). */
function rawGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway-proxy router: retries, timeouts, mirroring, rewrites (e2e)', () => {
  let h: ProxyHarness;
  let ok: UpstreamServer;
  let failing: UpstreamServer;
  let shadow: UpstreamServer;
  let port: number;
  let base: string;
  let deadPort: number;

  before(async () => {
    ok = await UpstreamServer.start('ok');
    failing = await UpstreamServer.start('failing');
    failing.setStatus(503);
    shadow = await UpstreamServer.start('shadow');
    port = await freePort();
    deadPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [httpListener('listener-' + port, '127.0.0.1', port, 'routes')],
        clusters: [
          staticCluster('flaky', [
            { address: '127.0.0.1', port: failing.port },
            { address: '127.0.0.1', port: ok.port },
          ]),
          staticCluster('half_dead', [
            { address: '127.0.0.1', port: deadPort },
            { address: '127.0.0.1', port: ok.port },
          ]),
          staticCluster('ok', [{ address: '127.0.0.1', port: ok.port }]),
          staticCluster('failing', [{ address: '127.0.0.1', port: failing.port }]),
          staticCluster('shadow', [{ address: '127.0.0.1', port: shadow.port }]),
          staticCluster('dead', [{ address: '127.0.0.1', port: deadPort }]),
        ],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/retry-5xx', 'flaky', { route: { cluster: 'flaky', retry_policy: retry({ retry_on: '5xx', num_retries: { value: 1 } }) } }),
              prefixRoute('/no-retry', 'flaky'),
              prefixRoute('/connect', 'half_dead', {
                route: { cluster: 'half_dead', retry_policy: retry({ retry_on: 'connect-failure', num_retries: { value: 1 } }) },
              }),
              prefixRoute('/codes', 'ok', {
                route: {
                  cluster: 'ok',
                  retry_policy: retry({ retry_on: 'retriable-status-codes', retriable_status_codes: [418], num_retries: { value: 2 } }),
                },
              }),
              prefixRoute('/per-try', 'ok', {
                route: { cluster: 'ok', retry_policy: retry({ retry_on: '5xx', num_retries: { value: 1 }, per_try_timeout: { seconds: 0, nanos: 100_000_000 } }) },
              }),
              prefixRoute('/always-fails', 'failing', {
                route: { cluster: 'failing', retry_policy: retry({ retry_on: '5xx', num_retries: { value: 2 } }) },
              }),
              prefixRoute('/idle', 'ok', { route: { cluster: 'ok', idle_timeout: { seconds: 0, nanos: 100_000_000 } } }),
              prefixRoute('/mirror-dead', 'ok', { route: { cluster: 'ok', request_mirror_policies: [{ cluster: 'dead' }] } }),
              prefixRoute('/mirror', 'ok', { route: { cluster: 'ok', request_mirror_policies: [{ cluster: 'shadow' }] } }),
              prefixRoute('/host-header', 'ok', { route: { cluster: 'ok', host_rewrite_header: 'x-target-host' } }),
              prefixRoute('/rx/', 'ok', {
                route: {
                  cluster: 'ok',
                  host_rewrite_path_regex: { pattern: { google_re2: {}, regex: '^/rx/([^/]+)/.*$' }, substitution: '\\1.internal' },
                  append_x_forwarded_host: true,
                },
              }),
              {
                match: { prefix: '/fmt' },
                route: { cluster: 'ok' },
                request_headers_to_add: [
                  { header: { key: 'x-client', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
                  { header: { key: 'x-proto', value: '%PROTOCOL%' } },
                  { header: { key: 'x-user-copy', value: 'user=%REQ(x-user)%' } },
                  { header: { key: 'x-pct', value: '100%%' } },
                  { header: { key: 'x-absent', value: '%REQ(x-nope)%' } },
                ],
                response_headers_to_add: [{ header: { key: 'x-upstream', value: '%UPSTREAM_REMOTE_ADDRESS%' } }],
              },
              { match: { prefix: '/admin' }, direct_response: { status: 403, body: { inline_string: 'admin' } } },
              prefixRoute('/public/', 'ok'),
            ], { retry_policy: undefined }),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await ok.close();
    await failing.close();
    await shadow.close();
  });

  const statsOf = (c: string) => h.proxy.stats.clusters[c]!;

  it('retries a 5xx on another host of the cluster; the failed response never reaches the client', async () => {
    const before = failing.received.length;
    const retries = statsOf('flaky').upstream_rq_retry;
    for (let i = 0; i < 2; i++) {
      const r = await h.get(`${base}/retry-5xx/x`);
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.text) as EchoResponse).name, 'ok');
    }
    assert.ok(failing.received.length > before, 'the failing host was tried');
    assert.ok(statsOf('flaky').upstream_rq_retry > retries);
    assert.ok(statsOf('flaky').upstream_rq_retry_success >= 1);
  });

  it('does not retry without a retry policy', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 2; i++) statuses.add((await h.get(`${base}/no-retry`)).status);
    assert.deepEqual([...statuses].sort(), [200, 503]);
  });

  it('retries a connect failure to a dead endpoint on a live one', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await h.get(`${base}/connect/y`);
      assert.equal(r.status, 200);
    }
    assert.ok(statsOf('half_dead').upstream_cx_connect_fail >= 1);
  });

  it('retries retriable status codes only', async () => {
    let before = ok.received.length;
    const r = await h.get(`${base}/codes`, { headers: { 'x-upstream-status': '418' } });
    assert.equal(r.status, 418);
    assert.equal(ok.received.length - before, 3, 'initial attempt + 2 retries');
    before = ok.received.length;
    const r2 = await h.get(`${base}/codes`, { headers: { 'x-upstream-status': '500' } });
    assert.equal(r2.status, 500);
    assert.equal(ok.received.length - before, 1);
  });

  it('gives each attempt its per-try timeout, then answers 504', async () => {
    const before = ok.received.length;
    const perTry = statsOf('ok').upstream_rq_per_try_timeout;
    const r = await h.get(`${base}/per-try`, { headers: { 'x-upstream-delay-ms': '400' } });
    assert.equal(r.status, 504);
    assert.equal(r.text, 'upstream request timeout');
    assert.equal(ok.received.length - before, 2);
    assert.equal(statsOf('ok').upstream_rq_per_try_timeout - perTry, 2);
  });

  it('replays a buffered body on retry, and does not retry past the body buffer limit', async () => {
    let before = failing.received.length;
    const small = await h.get(`${base}/always-fails`, { method: 'POST', body: 'x'.repeat(1000) });
    assert.equal(small.status, 503);
    assert.equal(failing.received.length - before, 3);
    assert.equal((JSON.parse(small.text) as EchoResponse).bodyLength, 1000, 'the last attempt got the whole body');

    before = failing.received.length;
    const big = await h.get(`${base}/always-fails`, { method: 'POST', body: Buffer.alloc(200 * 1024, 0x62) });
    assert.equal(big.status, 503);
    assert.equal(failing.received.length - before, 1, 'a body past the limit is not retried');
    assert.equal((JSON.parse(big.text) as EchoResponse).bodyLength, 200 * 1024);

    // A retried POST reaches the healthy host with its body intact.
    for (let i = 0; i < 2; i++) {
      const r = await h.get(`${base}/retry-5xx/post`, { method: 'POST', body: 'hello body' });
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.text) as EchoResponse).body, 'hello body');
    }
  });

  it('answers 504 stream timeout when the stream is idle past the route idle_timeout', async () => {
    const r = await h.get(`${base}/idle`, { headers: { 'x-upstream-delay-ms': '500' } });
    assert.equal(r.status, 504);
    assert.equal(r.text, 'stream timeout');
  });

  it('mirrors the request to the shadow cluster with a -shadow Host', async () => {
    const seen = shadow.nextRequest();
    const r = await h.get(`${base}/mirror/m?q=1`, { method: 'POST', body: 'mirrored', headers: { host: 'app.example.com:8080' } });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.text) as EchoResponse).body, 'mirrored');
    await seen;
    const got = shadow.received.at(-1)!;
    assert.equal(got.url, '/mirror/m?q=1');
    assert.equal(got.headers.host, 'app.example.com-shadow:8080');
    assert.equal(got.headers['content-length'], '8');
  });

  it('is unaffected by a dead shadow; the failure is counted on the mirror cluster', async () => {
    const errors = statsOf('dead').upstream_rq_shadow_error;
    const r = await h.get(`${base}/mirror-dead`);
    assert.equal(r.status, 200);
    for (let i = 0; i < 50 && statsOf('dead').upstream_rq_shadow_error === errors; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(statsOf('dead').upstream_rq_shadow_error, errors + 1);
  });

  it('rewrites the Host from a request header', async () => {
    const r = await h.get(`${base}/host-header`, { headers: { 'x-target-host': 'target.internal' } });
    assert.equal((JSON.parse(r.text) as EchoResponse).headers.host, 'target.internal');
  });

  it('rewrites the Host with a path regex and appends x-forwarded-host', async () => {
    const r = await h.get(`${base}/rx/billing/v1`, { headers: { host: 'edge.example.com' } });
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.headers.host, 'billing.internal');
    assert.equal(echo.headers['x-forwarded-host'], 'edge.example.com');
    assert.equal(echo.url, '/rx/billing/v1');
  });

  it('renders %VAR% formatters in added headers', async () => {
    const r = await h.get(`${base}/fmt`, { headers: { 'x-user': 'alice', 'x-client': 'spoofed' } });
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.headers['x-client'], '127.0.0.1');
    assert.equal(echo.headers['x-proto'], 'HTTP/1.1');
    assert.equal(echo.headers['x-user-copy'], 'user=alice');
    assert.equal(echo.headers['x-pct'], '100%');
    assert.equal(echo.headers['x-absent'], undefined, 'an empty rendered value is not added');
    assert.equal(r.headers['x-upstream'], `127.0.0.1:${ok.port}`);
  });

  it('normalises the path before matching: .. and %2e%2e do not slip past a prefix route', async () => {
    for (const p of ['/public/../admin', '/public/%2e%2e/admin', '/public/%2E%2E/admin/x', '/public/./../admin']) {
      const r = await rawGet(port, p);
      assert.equal(r.status, 403, p);
      assert.equal(r.text, 'admin');
    }
    const r = await rawGet(port, '/public/a/./b/../c?x=1');
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.text) as EchoResponse).url, '/public/a/c?x=1');
    const d = await rawGet(port, '/public/%7Euser');
    assert.equal((JSON.parse(d.text) as EchoResponse).url, '/public/~user');
  });
});
