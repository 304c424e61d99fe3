/**
 * HTTP filters that read whole bodies, end to end through a real gateway-proxy and upstream:
 * Envoy's buffer filter (`max_request_bytes`, 413, per-route disable), and a probe filter registered
 * for this test that rewrites the request body (`decodeBody`) and the response (`encodeBody`: status,
 * headers, body) — the contract the transformation and gRPC-web filters build on.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { registerHttpFilter } from '../../src/proxy/http/filter-chain.js';
import { FilterStatus, type BufferedResponse, type FilterCallbacks, type StreamFilter } from '../../src/proxy/http/filter.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { hcm, loadAssignment, prefixRoute, routeConfig, snapshot, staticCluster, vhost, hcmListener } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const PROBE = 'test.body-probe';

/** Upper-cases request bodies; on the response: status 299 → 201, adds `x-probe`, reverses the body. */
class ProbeFilter implements StreamFilter {
  decodeHeaders(cb: FilterCallbacks): FilterStatus {
    cb.req.headers['x-probe-saw-headers'] = 'yes';
    return FilterStatus.Continue;
  }

  decodeBody(body: Buffer, cb: FilterCallbacks): Buffer | undefined {
    if (cb.req.headers['x-probe-reject'] !== undefined) {
      cb.sendLocalReply(422, { body: Buffer.from(`rejected ${body.length} bytes`), headers: ['content-type', 'text/plain'] });
      return undefined;
    }
    if (body.length === 0) return undefined;
    // (a Buffer, as decodeBody returns)
    return Buffer.from(body.toString('utf8').toUpperCase());
  }

  encodeBody(r: BufferedResponse): void {
    if (r.status === 299) r.status = 201;
    r.headers.push('x-probe', `seen ${r.body.length}`);
    r.body = Buffer.from([...r.body.toString('utf8')].reverse().join(''));
  }
}

registerHttpFilter(PROBE, () => ({ name: PROBE, encodes: true, create: () => new ProbeFilter() }));

const listener = hcmListener;

const router = { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } };

describe('filters that read whole bodies (e2e)', () => {
  let h: ProxyHarness;
  let up: UpstreamServer;
  let bufferBase: string;
  let probeBase: string;

  before(async () => {
    up = await UpstreamServer.start('body');
    const [p1, p2] = [await freePort(), await freePort()];
    bufferBase = `http://127.0.0.1:${p1}`;
    probeBase = `http://127.0.0.1:${p2}`;
    h = new ProxyHarness();
    const buffer = hcm('routes', {
      http_filters: [{ name: 'envoy.filters.http.buffer', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer', max_request_bytes: { value: 1000 } } as never }, router],
    });
    const probe = hcm('routes', { http_filters: [{ name: PROBE, typed_config: { '@type': 'type.googleapis.com/test.Probe' } }, router] });
    await h.push(
      snapshot('1', {
        listeners: [listener('buffer', p1, buffer), listener('probe', p2, probe)],
        clusters: [staticCluster('up', [{ address: '127.0.0.1', port: up.port }])],
        endpoints: [loadAssignment('up', [{ address: '127.0.0.1', port: up.port }])],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/stream', 'up', { typed_per_filter_config: { 'envoy.filters.http.buffer': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute', disabled: true } } }),
              prefixRoute('/retry', 'up', { route: { cluster: 'up', retry_policy: { retry_on: 'retriable-status-codes', retriable_status_codes: [503], num_retries: { value: 1 } } } }),
              { match: { prefix: '/direct' }, direct_response: { status: 299, body: { inline_string: 'abc' } } },
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

  /** A chunked request body (no content-length), in several pieces. */
  const chunked = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));

  it('buffer filter: a chunked body reaches the upstream whole, with a content-length', async () => {
    const r = await h.get(`${bufferBase}/echo`, { method: 'POST', body: chunked('hello ', 'buffered ', 'world') });
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.body, 'hello buffered world');
    assert.equal(echo.headers['content-length'], '20');
    assert.equal(echo.headers['transfer-encoding'], undefined);
  });

  it('buffer filter: a body over max_request_bytes gets 413 and never reaches the upstream', async () => {
    const before = up.received.length;
    const big = await h.get(`${bufferBase}/echo`, { method: 'POST', body: chunked('x'.repeat(600), 'y'.repeat(600)) });
    assert.equal(big.status, 413);
    assert.equal(big.text, 'Payload Too Large');
    const declared = await h.get(`${bufferBase}/echo`, { method: 'POST', body: 'z'.repeat(1001) });
    assert.equal(declared.status, 413);
    assert.equal(up.received.length, before);
  });

  it('buffer filter: a route with BufferPerRoute disabled is not limited (the body streams)', async () => {
    const r = await h.get(`${bufferBase}/stream`, { method: 'POST', body: chunked('a'.repeat(800), 'b'.repeat(800)) });
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.bodyLength, 1600);
  });

  it('decodeBody replaces the request body; the upstream gets it with the right content-length', async () => {
    const r = await h.get(`${probeBase}/echo`, { method: 'POST', body: chunked('make ', 'me ', 'loud') });
    assert.equal(r.status, 200);
    // The response went through encodeBody too: reversed, with x-probe and a recomputed content-length.
    const text = [...r.text].reverse().join('');
    const echo = JSON.parse(text) as EchoResponse;
    assert.equal(echo.body, 'MAKE ME LOUD');
    assert.equal(echo.headers['content-length'], '12');
    assert.equal(echo.headers['x-probe-saw-headers'], 'yes');
    assert.equal(r.headers['x-probe'], `seen ${r.text.length}`);
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.text)));
  });

  it('a replaced body is replayed on a retry', async () => {
    const before = up.received.length;
    const r = await h.get(`${probeBase}/retry`, { method: 'POST', headers: { 'x-upstream-status': '503' }, body: 'again' });
    // Both attempts answered 503 (the header asks every attempt to); the second one's echo is the answer.
    assert.equal(r.status, 503);
    assert.equal(up.received.length, before + 2);
    const echo = JSON.parse([...r.text].reverse().join('')) as EchoResponse;
    assert.equal(echo.body, 'AGAIN');
    assert.equal(echo.headers['content-length'], '5');
  });

  it('decodeBody may answer locally; encodeBody edits local replies and direct responses too', async () => {
    const rejected = await h.get(`${probeBase}/echo`, { method: 'POST', headers: { 'x-probe-reject': '1' }, body: 'nope' });
    assert.equal(rejected.status, 422);
    assert.equal(rejected.text, [...'rejected 4 bytes'].reverse().join(''));
    const direct = await h.get(`${probeBase}/direct`);
    assert.equal(direct.status, 201, 'status 299 rewritten by encodeBody');
    assert.equal(direct.text, 'cba');
    assert.equal(direct.headers['x-probe'], 'seen 3');
  });

  it('a response larger than the buffer limit becomes a 500', async () => {
    const r = await h.get(`${probeBase}/big`, { headers: { 'x-upstream-bytes': String(2 * 1024 * 1024) } });
    assert.equal(r.status, 500);
    assert.equal(r.text, 'Internal Server Error');
  });
});
