/**
 * gateway-proxy end to end: real upstream servers, a SnapshotCache + InProcessXdsClient feeding the
 * proxy, real undici requests. Routing, rewrites, local replies and the standard proxy headers.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import {
  edsCluster,
  httpListener,
  loadAssignment,
  prefixRoute,
  routeConfig,
  snapshot,
  staticCluster,
  vhost,
} from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

describe('gateway-proxy routing (e2e)', () => {
  let h: ProxyHarness;
  let a: UpstreamServer;
  let b: UpstreamServer;
  let port: number;
  let base: string;
  let deadPort: number;
  let base2: string;

  before(async () => {
    a = await UpstreamServer.start('a');
    b = await UpstreamServer.start('b');
    port = await freePort();
    deadPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const port2 = await freePort();
    base2 = `http://127.0.0.1:${port2}`;
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [
          httpListener('listener-127.0.0.1-' + port, '127.0.0.1', port, 'routes'),
          httpListener('listener-127.0.0.1-' + port2, '127.0.0.1', port2, 'routes2'),
        ],
        clusters: [
          staticCluster('a_default', [{ address: '127.0.0.1', port: a.port, hostname: 'a.internal' }]),
          edsCluster('b_default', 'b-service'),
          staticCluster('empty_default', []),
          staticCluster('dead_default', [{ address: '127.0.0.1', port: deadPort }]),
        ],
        endpoints: [loadAssignment('b-service', [{ address: '127.0.0.1', port: b.port }])],
        routes: [
          routeConfig('routes2', [vhost('only', ['only.example.com'], [prefixRoute('/only', 'a_default')])]),
          routeConfig('routes', [
            vhost('other', ['other.example.com'], [
              { match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'other vhost' } } },
            ]),
            vhost('main', ['*'], [
              prefixRoute('/a/', 'a_default', { route: { cluster: 'a_default', prefix_rewrite: '/rewritten/' } }),
              prefixRoute('/b', 'b_default'),
              { match: { path: '/direct' }, direct_response: { status: 418, body: { inline_string: "I'm a teapot" } } },
              { match: { prefix: '/redirect' }, redirect: { https_redirect: true, response_code: 'FOUND' } },
              prefixRoute('/empty', 'empty_default'),
              prefixRoute('/missing', 'no_such_cluster'),
              prefixRoute('/dead', 'dead_default'),
              prefixRoute('/host-literal', 'a_default', { route: { cluster: 'a_default', host_rewrite_literal: 'literal.example' } }),
              prefixRoute('/host-auto', 'a_default', { route: { cluster: 'a_default', auto_host_rewrite: { value: true } } }),
              {
                match: { prefix: '/headers' },
                route: { cluster: 'a_default' },
                request_headers_to_add: [{ header: { key: 'x-added', value: 'yes' } }],
                request_headers_to_remove: ['x-remove-me'],
                response_headers_to_add: [{ header: { key: 'x-resp', value: 'added' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
                response_headers_to_remove: ['x-upstream-name'],
              },
              { match: { safe_regex: { google_re2: {}, regex: '/bad/(' } }, route: { cluster: 'a_default' } },
              prefixRoute('/', 'a_default'),
            ], { request_headers_to_add: [{ header: { key: 'x-vhost', value: 'main' } }] }),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await a.close();
    await b.close();
  });

  it('is ready and reports the applied version', () => {
    assert.equal(h.proxy.ready, true);
    assert.equal(h.proxy.appliedVersion, '1');
  });

  it('routes by prefix and rewrites the prefix, keeping the query', async () => {
    const r = await h.get(`${base}/a/x/y?q=1`);
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.name, 'a');
    assert.equal(echo.url, '/rewritten/x/y?q=1');
  });

  it('routes an EDS cluster to the endpoints of its ClusterLoadAssignment', async () => {
    const r = await h.get(`${base}/b/thing`);
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.name, 'b');
    assert.equal(echo.url, '/b/thing');
  });

  it('selects the virtual host by Host', async () => {
    const r = await h.get(`${base}/anything`, { headers: { host: 'OTHER.example.com:8080' } });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'other vhost');
  });

  it('answers direct responses', async () => {
    const r = await h.get(`${base}/direct`);
    assert.equal(r.status, 418);
    assert.equal(r.text, "I'm a teapot");
    assert.equal(r.headers['content-type'], 'text/plain');
  });

  it('redirects', async () => {
    const r = await h.get(`${base}/redirect/x?y=1`, { headers: { host: 'example.com' } });
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, 'https://example.com/redirect/x?y=1');
  });

  it('answers 404 with an empty body when no virtual host or no route matches', async () => {
    const before = h.proxy.stats.downstream_rq_no_route;
    const noVhost = await h.get(`${base2}/x`, { headers: { host: 'unknown.example.com' } });
    assert.equal(noVhost.status, 404);
    assert.equal(noVhost.text, '');
    const noRoute = await h.get(`${base2}/x`, { headers: { host: 'only.example.com' }, method: 'POST', body: 'ignored' });
    assert.equal(noRoute.status, 404);
    assert.equal(noRoute.text, '');
    assert.equal(h.proxy.stats.downstream_rq_no_route, before + 2);
  });

  it('answers 503 no healthy upstream for a cluster without endpoints', async () => {
    const r = await h.get(`${base}/empty`);
    assert.equal(r.status, 503);
    assert.equal(r.text, 'no healthy upstream');
    assert.equal(h.proxy.stats.clusters['empty_default']!.upstream_cx_none_healthy, 1);
  });

  it('answers 503 for a route to a cluster that does not exist', async () => {
    const r = await h.get(`${base}/missing`);
    assert.equal(r.status, 503);
    assert.equal(h.proxy.stats.downstream_rq_no_cluster, 1);
  });

  it("answers 503 with Envoy's text when the upstream refuses connections", async () => {
    const r = await h.get(`${base}/dead`);
    assert.equal(r.status, 503);
    assert.equal(r.text, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure');
    assert.equal(h.proxy.stats.clusters['dead_default']!.upstream_cx_connect_fail, 1);
  });

  it('preserves Host, or rewrites it (literal, auto from the endpoint hostname)', async () => {
    const kept = JSON.parse((await h.get(`${base}/`, { headers: { host: 'kept.example.com' } })).text) as EchoResponse;
    assert.equal(kept.headers.host, 'kept.example.com');
    const literal = JSON.parse((await h.get(`${base}/host-literal`)).text) as EchoResponse;
    assert.equal(literal.headers.host, 'literal.example');
    const auto = JSON.parse((await h.get(`${base}/host-auto`)).text) as EchoResponse;
    assert.equal(auto.headers.host, 'a.internal');
  });

  it('applies route and virtual host header edits both ways', async () => {
    const r = await h.get(`${base}/headers`, { headers: { 'x-remove-me': '1', 'x-keep': '2' } });
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.headers['x-added'], 'yes');
    assert.equal(echo.headers['x-remove-me'], undefined);
    assert.equal(echo.headers['x-keep'], '2');
    assert.equal(echo.headers['x-vhost'], 'main');
    assert.equal(r.headers['x-resp'], 'added');
    assert.equal(r.headers['x-upstream-name'], undefined);
  });

  it('adds x-forwarded-for, x-forwarded-proto and x-request-id', async () => {
    const fresh = JSON.parse((await h.get(`${base}/`)).text) as EchoResponse;
    assert.equal(fresh.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(fresh.headers['x-forwarded-proto'], 'http');
    assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const given = JSON.parse(
      (await h.get(`${base}/`, { headers: { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https', 'x-request-id': 'abc' } })).text,
    ) as EchoResponse;
    assert.equal(given.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(given.headers['x-forwarded-proto'], 'https');
    assert.equal(given.headers['x-request-id'], 'abc');
  });

  it('strips hop-by-hop headers, including those named in Connection', async () => {
    // undici (the test client) refuses to send custom Connection tokens, so this one is written by hand.
    const raw = await rawHttp(
      port,
      'GET / HTTP/1.1\r\nHost: hop.example.com\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nProxy-Connection: x\r\n' +
        'Keep-Alive: timeout=5\r\nTE: gzip\r\nX-End: 2\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 200 /);
    const echo = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as EchoResponse;
    assert.equal(echo.headers['x-hop'], undefined);
    assert.equal(echo.headers['proxy-connection'], undefined);
    assert.equal(echo.headers['keep-alive'], undefined);
    assert.equal(echo.headers['te'], undefined);
    assert.equal(echo.headers['x-end'], '2');
    assert.equal(echo.headers.host, 'hop.example.com');
  });

  it('skips a route whose regex does not compile, with a warning naming it, and serves the rest', async () => {
    const warn = h.logs.find((l) => l.level === 'warn' && l.msg.startsWith('route skipped'));
    assert.ok(warn, 'a warning about the skipped route');
    assert.equal(warn.fields?.['virtualHost'], 'main');
    const r = await h.get(`${base}/bad/(`);
    assert.equal(r.status, 200); // falls through to the catch-all
  });

  it('rejects oversized request headers (431) and keeps serving', async () => {
    const raw = await rawHttp(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.1 431 /);
    assert.equal((await h.get(`${base}/after-431`)).status, 200);
  });

  it('counts requests per cluster by status class', () => {
    const a = h.proxy.stats.clusters['a_default']!;
    assert.ok(a.upstream_rq_total >= 5);
    assert.equal(a.upstream_rq_2xx, a.upstream_rq_total);
    assert.ok(h.proxy.stats.downstream_rq_total >= a.upstream_rq_total);
  });
});

/** Sends a hand-written HTTP/1.1 request (with `Connection: close`) and returns the raw response. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}
