/**
 * Envoy's deprecated route fields `max_grpc_timeout` / `grpc_timeout_offset` (Gloo does not emit them,
 * other control planes may), through a gateway-proxy fed raw Envoy config: a gRPC request's route
 * timeout becomes its `grpc-timeout` minus the offset, capped by the maximum (no header: the maximum),
 * the upstream gets the result as `grpc-timeout`, and the timeout answers the client as a trailers-only
 * UNAVAILABLE `upstream request timeout`.
 */
import assert from 'node:assert/strict';
import { createServer as createH2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const T = { timeout: 20_000 };

describe('max_grpc_timeout / grpc_timeout_offset (e2e)', () => {
  let h: ProxyHarness;
  let port: number;
  const seen: IncomingHttpHeaders[] = [];
  const hold = createH2Server();
  let client: grpc.Client;

  before(async () => {
    hold.on('stream', (s: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      seen.push(headers);
      s.on('error', () => undefined);
      s.resume();
    });
    await new Promise<void>((r) => hold.listen(0, '127.0.0.1', r));
    const holdPort = (hold.address() as { port: number }).port;
    port = await freePort();
    h = new ProxyHarness();
    const h2 = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': TYPE_URL.upstreamHttpProtocolOptions, explicit_http_config: { http2_protocol_options: {} } } };
    await h.push(
      snapshot('1', {
        listeners: [httpListener('main', '127.0.0.1', port, 'routes')],
        clusters: [staticCluster('hold', [{ address: '127.0.0.1', port: holdPort }], { typed_extension_protocol_options: h2 })],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/capped/', 'hold', { route: { cluster: 'hold', max_grpc_timeout: { seconds: 0, nanos: 500_000_000 }, grpc_timeout_offset: { seconds: 0, nanos: 100_000_000 } } }),
              prefixRoute('/offset/', 'hold', { route: { cluster: 'hold', max_grpc_timeout: { seconds: 10 }, grpc_timeout_offset: { seconds: 1 } } }),
            ]),
          ]),
        ],
      }),
    );
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await h.close();
    hold.close();
  });

  const call = (path: string, deadlineMs?: number) =>
    new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from('x'),
        new grpc.Metadata(),
        deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs },
        (err) => resolve(err),
      ),
    );

  it('no grpc-timeout: the maximum bounds the call, and the upstream is told so', T, async () => {
    const err = await call('/capped/Svc/M');
    assert.equal(err?.code, grpc.status.UNAVAILABLE);
    assert.equal(err?.details, 'upstream request timeout');
    assert.equal(seen.at(-1)!['grpc-timeout'], '500m');
  });

  it('a long client deadline is capped by the maximum', T, async () => {
    const err = await call('/capped/Svc/M', 20_000);
    assert.equal(err?.code, grpc.status.UNAVAILABLE);
    assert.equal(seen.at(-1)!['grpc-timeout'], '500m');
  });

  it('the offset is taken off the client deadline, so the proxy answers before the client gives up', T, async () => {
    const err = await call('/offset/Svc/M', 3000);
    // The proxy's timeout (about 2 s) fires before the client's deadline (3 s).
    assert.equal(err?.code, grpc.status.UNAVAILABLE);
    assert.equal(err?.details, 'upstream request timeout');
    const t = Number(String(seen.at(-1)!['grpc-timeout']).replace(/m$/, ''));
    assert.ok(t > 1000 && t <= 2000, `grpc-timeout ${t} ms`);
  });
});
