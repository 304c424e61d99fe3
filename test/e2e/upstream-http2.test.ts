/**
 * gateway-proxy end to end, HTTP/2 to upstreams: over TLS by ALPN (explicit `http2_protocol_options`
 * and `auto_config`), h2c with prior knowledge in plain text, streams multiplexed on one connection up
 * to `max_concurrent_streams` (then more connections), response trailers passed through (to HTTP/1.1
 * and HTTP/2 clients), and a real gRPC call (grpc-js client → gateway → grpc-js server over h2c) whose
 * status travels in trailers.
 */
import assert from 'node:assert/strict';
import { connect as h2connect } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import type { Cluster } from '../../src/xds/envoy-types.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { createPki, type Pki } from '../helpers/tls-upstream.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const HPO = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

function protocolOptions(o: Record<string, unknown>): Cluster['typed_extension_protocol_options'] {
  return { [HPO]: { '@type': TYPE_URL.upstreamHttpProtocolOptions, ...o } };
}

const ECHO_PATH = '/test.Echo/Echo';

/** A grpc-js server with one unary method that echoes bytes, or fails with NOT_FOUND for "missing". */
async function startGrpcServer(): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  const id = (b: Buffer): Buffer => b;
  server.addService(
    {
      Echo: { path: ECHO_PATH, requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
    } as unknown as grpc.ServiceDefinition,
    {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const text = call.request.toString('utf8');
        if (text === 'missing') cb({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
        else cb(null, Buffer.from(`echo:${text}`));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}

describe('gateway-proxy upstream HTTP/2 (e2e)', () => {
  let pki: Pki;
  let h2tls: UpstreamServer;
  let both: UpstreamServer;
  let h2c: UpstreamServer;
  let h2cStreams: UpstreamServer;
  let grpcServer: { port: number; server: grpc.Server };
  let h: ProxyHarness;
  let port: number;
  let base: string;

  before(async () => {
    pki = createPki();
    const cert = pki.issue('backend', ['DNS:backend.internal', 'IP:127.0.0.1']);
    h2tls = await UpstreamServer.startHttp2('h2tls', { key: cert.key, cert: cert.cert });
    both = await UpstreamServer.startHttp2('both', { key: cert.key, cert: cert.cert }, true);
    h2c = await UpstreamServer.startH2c('h2c');
    h2cStreams = await UpstreamServer.startH2c('h2c-streams');
    grpcServer = await startGrpcServer();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const tls = {
      name: 'envoy.transport_sockets.tls',
      typed_config: { '@type': TYPE_URL.upstreamTlsContext, common_tls_context: { validation_context: { trusted_ca: { inline_string: pki.caCert } } } },
    };
    const h2 = protocolOptions({ explicit_http_config: { http2_protocol_options: {} } });
    const clusters: Cluster[] = [
      staticCluster('h2-tls', [{ address: '127.0.0.1', port: h2tls.port }], { transport_socket: tls, typed_extension_protocol_options: h2 }),
      staticCluster('h1-to-h2-only', [{ address: '127.0.0.1', port: h2tls.port }], { transport_socket: tls }),
      staticCluster('auto', [{ address: '127.0.0.1', port: both.port }], {
        transport_socket: tls,
        typed_extension_protocol_options: protocolOptions({ auto_config: { http_protocol_options: {}, http2_protocol_options: {} } }),
      }),
      staticCluster('h1-to-both', [{ address: '127.0.0.1', port: both.port }], { transport_socket: tls }),
      staticCluster('h2c', [{ address: '127.0.0.1', port: h2c.port }], { typed_extension_protocol_options: h2 }),
      // The deprecated cluster-level field Envoy still reads.
      { ...staticCluster('h2c-legacy', [{ address: '127.0.0.1', port: h2c.port }]), http2_protocol_options: {} } as Cluster,
      staticCluster('h2c-one-stream', [{ address: '127.0.0.1', port: h2cStreams.port }], {
        typed_extension_protocol_options: protocolOptions({ explicit_http_config: { http2_protocol_options: { max_concurrent_streams: { value: 1 } } } }),
      }),
      staticCluster('grpc', [{ address: '127.0.0.1', port: grpcServer.port }], { typed_extension_protocol_options: h2 }),
    ];
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [httpListener('main', '127.0.0.1', port, 'routes')],
        clusters,
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              ...clusters.filter((c) => c.name !== 'grpc').map((c) => prefixRoute(`/${c.name}/`, c.name)),
              prefixRoute('/test.Echo/', 'grpc'),
              // The router's full path (a retry policy), rewritten to the same service.
              prefixRoute('/retrying.Echo/', 'grpc', {
                route: { cluster: 'grpc', prefix_rewrite: '/test.Echo/', retry_policy: { retry_on: 'reset', num_retries: { value: 1 } } },
              }),
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await Promise.all([h2tls.close(), both.close(), h2c.close(), h2cStreams.close()]);
    grpcServer.server.forceShutdown();
    pki.remove();
  });

  async function echo(path: string, headers: Record<string, string> = {}): Promise<EchoResponse> {
    const r = await h.get(`${base}${path}`, { headers });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return JSON.parse(r.text) as EchoResponse;
  }

  it('speaks HTTP/2 over TLS (ALPN h2) with explicit http2_protocol_options', async () => {
    const e = await echo('/h2-tls/a?b=1', { 'x-custom': 'v' });
    assert.equal(e.httpVersion, '2.0');
    assert.equal(e.tls?.alpn, 'h2');
    assert.equal(e.url, '/h2-tls/a?b=1');
    assert.equal(e.headers['x-custom'], 'v');
    assert.equal(e.headers[':authority'], `127.0.0.1:${port}`);
  });

  it('an HTTP/1.1 cluster does not reach an h2-only server (the protocol option is what selects HTTP/2)', async () => {
    const r = await h.get(`${base}/h1-to-h2-only/`);
    assert.equal(r.status, 503, r.text);
  });

  it('auto_config lets ALPN pick h2; an HTTP/1.1 cluster gets HTTP/1.1 from the same server', async () => {
    assert.equal((await echo('/auto/')).httpVersion, '2.0');
    assert.equal((await echo('/h1-to-both/')).httpVersion, '1.1');
  });

  it('speaks h2c (prior knowledge) in plain text, request bodies included', async () => {
    const e = await echo('/h2c/x');
    assert.equal(e.httpVersion, '2.0');
    assert.equal(e.tls, undefined);
    const r = await h.get(`${base}/h2c/post`, { method: 'POST', body: 'hello h2c', headers: { 'content-type': 'text/plain' } });
    const p = JSON.parse(r.text) as EchoResponse;
    assert.equal(p.method, 'POST');
    assert.equal(p.body, 'hello h2c');
    assert.equal((await echo('/h2c-legacy/')).httpVersion, '2.0');
  });

  it('multiplexes concurrent requests on one HTTP/2 connection', async () => {
    const before = h2c.connections;
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => echo(`/h2c/m${i}`, { 'x-upstream-delay-ms': '100' })));
    assert.equal(all.length, 8);
    assert.ok(h2c.connections - before <= 1, `opened ${h2c.connections - before} connections`);
  });

  it('max_concurrent_streams bounds streams per connection: more connections for concurrent requests', async () => {
    const before = h2cStreams.connections;
    await Promise.all(Array.from({ length: 3 }, (_, i) => echo(`/h2c-one-stream/s${i}`, { 'x-upstream-delay-ms': '200' })));
    assert.equal(h2cStreams.connections - before, 3);
  });

  it('passes HTTP/2 response trailers through to an HTTP/1.1 client', async () => {
    const res = await request(`${base}/h2c/trailers`, { dispatcher: h.agent, headers: { 'x-upstream-trailers': 'grpc-status=0,grpc-message=fine' } });
    const body = JSON.parse(await res.body.text()) as EchoResponse;
    assert.equal(res.statusCode, 200);
    assert.equal(body.httpVersion, '2.0');
    assert.equal(res.trailers['grpc-status'], '0');
    assert.equal(res.trailers['grpc-message'], 'fine');
  });

  it('passes HTTP/2 response trailers through to an HTTP/2 client', async () => {
    const session = h2connect(base);
    try {
      const got = await new Promise<{ status: number; trailers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/h2c/t2', 'x-upstream-trailers': 'grpc-status=7' });
        let status = 0;
        let trailers: Record<string, unknown> = {};
        const chunks: Buffer[] = [];
        stream.on('response', (hd) => (status = Number(hd[':status'])));
        stream.on('trailers', (t) => (trailers = t));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ status, trailers, body: Buffer.concat(chunks).toString('utf8') }));
        stream.on('error', reject);
        stream.end();
      });
      assert.equal(got.status, 200);
      assert.equal(got.trailers['grpc-status'], '7');
      assert.equal((JSON.parse(got.body) as EchoResponse).httpVersion, '2.0');
    } finally {
      session.close();
    }
  });

  it('HTTP/2 clients get streaming response headers before the body (held headers go out on the next turn)', async () => {
    const session = h2connect(base);
    try {
      const got = await new Promise<{ status: number; headersFirst: boolean; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/h2c/slow-body', 'x-upstream-body-delay-ms': '300' });
        let status = 0;
        let headersFirst = false;
        const chunks: Buffer[] = [];
        stream.on('response', (hd) => {
          status = Number(hd[':status']);
          headersFirst = chunks.length === 0;
        });
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ status, headersFirst, body: Buffer.concat(chunks).toString('utf8') }));
        stream.on('error', reject);
        stream.end();
      });
      assert.equal(got.status, 200);
      assert.ok(got.headersFirst);
      assert.equal((JSON.parse(got.body) as EchoResponse).url, '/h2c/slow-body');
    } finally {
      session.close();
    }
  });

  it('carries a real gRPC call (grpc-js both ends): messages and the status in trailers', async () => {
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = (text: string, path = ECHO_PATH) =>
      new Promise<{ err: grpc.ServiceError | null; value?: Buffer }>((resolve) =>
        client.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(text),
          (err, value) => resolve({ err, value: value ?? undefined }),
        ),
      );
    try {
      const ok = await call('hi');
      assert.equal(ok.err, null);
      assert.equal(ok.value?.toString('utf8'), 'echo:hi');
      const missing = await call('missing');
      assert.equal(missing.err?.code, grpc.status.NOT_FOUND);
      assert.equal(missing.err?.details, 'no such thing');
      // Same through the router's retry path.
      const viaRouter = await call('missing', '/retrying.Echo/Echo');
      assert.equal(viaRouter.err?.code, grpc.status.NOT_FOUND);
      assert.equal((await call('again', '/retrying.Echo/Echo')).value?.toString('utf8'), 'echo:again');
    } finally {
      client.close();
    }
  });
});
