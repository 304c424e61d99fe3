/**
 * gateway-proxy end to end: bodies stream both ways, and failures on either side end the exchange
 * the way Envoy does (local 503/504 before response headers, a reset after them; client aborts reach
 * the upstream). Nothing here asserts timings.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const MiB = 1024 * 1024;

/** A request body of `total` bytes produced chunk by chunk (never held in memory at once). */
function generatedBody(total: number, hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(256 * 1024, total - sent);
      const chunk = Buffer.alloc(n, sent % 251);
      hash.update(chunk);
      sent += n;
      this.push(chunk);
    },
  });
}

describe('gateway-proxy streaming and failures (e2e)', () => {
  let h: ProxyHarness;
  let up: UpstreamServer;
  let base: string;

  before(async () => {
    up = await UpstreamServer.start('up');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [httpListener('l', '127.0.0.1', port, 'rc')],
        clusters: [staticCluster('up', [{ address: '127.0.0.1', port: up.port }])],
        routes: [
          routeConfig('rc', [
            vhost('all', ['*'], [
              prefixRoute('/short-timeout', 'up', { route: { cluster: 'up', timeout: { seconds: 0, nanos: 100_000_000 } } }),
              prefixRoute('/no-timeout', 'up', { route: { cluster: 'up', timeout: { seconds: 0 } } }),
              prefixRoute('/', 'up'),
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await up.close();
  });

  it('streams a large POST body up and back down intact', async () => {
    const sent = createHash('sha256');
    const total = 24 * MiB + 123;
    const res = await request(`${base}/echo`, {
      dispatcher: h.agent,
      method: 'POST',
      headers: { 'x-upstream-echo': 'raw' },
      body: generatedBody(total, sent),
    });
    assert.equal(res.statusCode, 200);
    const received = createHash('sha256');
    let length = 0;
    for await (const chunk of res.body) {
      received.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    assert.equal(length, total);
    assert.equal(received.digest('hex'), sent.digest('hex'));
  });

  it('forwards a large POST body with its content-length', async () => {
    const body = Buffer.alloc(3 * MiB, 7);
    const r = await h.get(`${base}/upload`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.bodyLength, body.length);
    assert.equal(echo.headers['content-length'], String(body.length));
    assert.equal(echo.bodySha256, createHash('sha256').update(body).digest('hex'));
  });

  it('streams a large response to a slow reader', async () => {
    const total = 16 * MiB;
    const res = await request(`${base}/download`, { dispatcher: h.agent, headers: { 'x-upstream-bytes': String(total) } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(total));
    let length = 0;
    let n = 0;
    for await (const chunk of res.body) {
      length += (chunk as Buffer).length;
      // Read slowly now and then so the proxy sees backpressure from the downstream socket.
      if (++n % 32 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(length, total);
  });

  it("answers 503 with Envoy's text when the upstream resets before headers", async () => {
    const r = await h.get(`${base}/die`, { headers: { 'x-upstream-die': 'headers' } });
    assert.equal(r.status, 503);
    assert.match(r.text, /^upstream connect error or disconnect\/reset before headers\. reset reason: /);
  });

  it('resets the downstream response when the upstream dies mid-body', async () => {
    const res = await request(`${base}/die-body`, {
      dispatcher: h.agent,
      headers: { 'x-upstream-die': 'body', 'x-upstream-bytes': String(4 * MiB) },
    });
    assert.equal(res.statusCode, 200);
    await assert.rejects(res.body.arrayBuffer());
    // The proxy keeps serving.
    assert.equal((await h.get(`${base}/after`)).status, 200);
  });

  it('answers 504 upstream request timeout when the route timeout expires', async () => {
    const aborted = up.nextAbort();
    const r = await h.get(`${base}/short-timeout`, { headers: { 'x-upstream-delay-ms': '5000' } });
    assert.equal(r.status, 504);
    assert.equal(r.text, 'upstream request timeout');
    await aborted; // the upstream request was cancelled too
    assert.equal(h.proxy.stats.clusters['up']!.upstream_rq_timeout, 1);
  });

  it('waits for a slow upstream when the route timeout is 0', async () => {
    const r = await h.get(`${base}/no-timeout`, { headers: { 'x-upstream-delay-ms': '150' } });
    assert.equal(r.status, 200);
  });

  it('aborts the upstream request when the client goes away', async () => {
    const arrived = up.nextRequest();
    const aborted = up.nextAbort();
    const ac = new AbortController();
    const pending = request(`${base}/slow`, { dispatcher: h.agent, headers: { 'x-upstream-delay-ms': '10000' }, signal: ac.signal });
    await arrived;
    ac.abort();
    await assert.rejects(pending);
    await aborted;
    assert.equal((await h.get(`${base}/after-abort`)).status, 200);
  });

  it('aborts the upstream request when the client goes away mid-upload', async () => {
    const arrived = up.nextRequest();
    const aborted = up.nextAbort();
    const ac = new AbortController();
    let pushed = 0;
    const body = new Readable({
      read() {
        // Sends a little, then stalls forever: the client aborts while the upload is in progress.
        if (pushed++ < 2) this.push(Buffer.alloc(1024, 1));
      },
    });
    const pending = request(`${base}/upload-abort`, { dispatcher: h.agent, method: 'POST', body, signal: ac.signal });
    await arrived;
    ac.abort();
    await assert.rejects(pending);
    await aborted;
  });
});
