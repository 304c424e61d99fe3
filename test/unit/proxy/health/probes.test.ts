/**
 * The HTTP (HTTP/1.1 and h2c), TCP and gRPC probes against real servers on free ports: what they
 * send, how they judge the answer, failures, connection reuse.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { compileHealthCheck, type EnvoyHealthCheck } from '../../../../src/proxy/upstream/health/health-check-config.js';
import { createProbe } from '../../../../src/proxy/upstream/health/probes/index.js';
import { FailureType, type ProbeTarget } from '../../../../src/proxy/upstream/health/probes/probe.js';
import { containsInOrder } from '../../../../src/proxy/upstream/health/probes/tcp-probe.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from '../../../../src/proxy/upstream/health/probes/grpc-probe.js';
import { freePort } from '../../../helpers/ports.js';
import { UpstreamServer } from '../../../helpers/upstream-server.js';
import { GrpcHealthServer, TcpPingServer } from '../../../helpers/health-servers.js';

const sec = (n: number) => ({ seconds: String(n), nanos: 0 });

function probeFor(port: number, hc: Partial<EnvoyHealthCheck>, cluster = 'echo_gloo-system') {
  const target: ProbeTarget = { address: '127.0.0.1', port };
  return createProbe(target, compileHealthCheck({ timeout: sec(2), interval: sec(1), ...hc }, cluster));
}

describe('HTTP probe', () => {
  let up: UpstreamServer;
  before(async () => {
    up = await UpstreamServer.start('hc');
  });
  after(() => up.close());

  it('sends method, path, Host (the cluster name by default) and the header edits', async () => {
    up.setPathStatus('/healthz', 200);
    const p = probeFor(up.port, {
      http_health_check: {
        path: '/healthz',
        method: 'HEAD',
        request_headers_to_add: [
          { header: { key: 'x-probe', value: 'gloo' } },
          { header: { key: 'user-agent', value: 'custom' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        ],
        request_headers_to_remove: ['x-nothing'],
      },
    });
    assert.deepEqual(await p.run(), { healthy: true });
    const r = up.requestsTo('/healthz').at(-1)!;
    assert.equal(r.method, 'HEAD');
    assert.equal(r.headers.host, 'echo_gloo-system');
    assert.equal(r.headers['x-probe'], 'gloo');
    assert.equal(r.headers['user-agent'], 'custom');
    p.close();

    const q = probeFor(up.port, { http_health_check: { path: '/healthz', host: 'health.internal', request_headers_to_remove: ['user-agent'] } });
    await q.run();
    const r2 = up.requestsTo('/healthz').at(-1)!;
    assert.equal(r2.method, 'GET');
    assert.equal(r2.headers.host, 'health.internal');
    assert.equal(r2.headers['user-agent'], undefined);
    q.close();

    const d = probeFor(up.port, { http_health_check: { path: '/healthz' } });
    await d.run();
    assert.equal(up.requestsTo('/healthz').at(-1)!.headers['user-agent'], 'Envoy/HC');
    d.close();
  });

  it('judges the status by expected_statuses (default 200) and retriable_statuses', async () => {
    const p = probeFor(up.port, { http_health_check: { path: '/s', expected_statuses: [{ start: '200', end: '205' }], retriable_statuses: [{ start: 429, end: 430 }] } });
    up.setPathStatus('/s', 204);
    assert.equal((await p.run()).healthy, true);
    up.setPathStatus('/s', 503);
    const bad = await p.run();
    assert.equal(bad.healthy, false);
    assert.equal(bad.failure, FailureType.Active);
    assert.equal(bad.retriable, false);
    up.setPathStatus('/s', 429);
    assert.equal((await p.run()).retriable, true);
    p.close();
    const def = probeFor(up.port, { http_health_check: { path: '/s' } });
    up.setPathStatus('/s', 204);
    assert.equal((await def.run()).healthy, false, 'only 200 by default');
    def.close();
  });

  it('checks x-envoy-upstream-healthchecked-cluster against service_name_matcher and reads x-envoy-immediate-health-check-fail', async () => {
    const p = probeFor(up.port, { http_health_check: { path: '/id', service_name_matcher: { prefix: 'pets' } } });
    up.setPathStatus('/id', 200, { 'x-envoy-upstream-healthchecked-cluster': 'petstore' });
    assert.deepEqual(await p.run(), { healthy: true, verifiedCluster: true });
    up.setPathStatus('/id', 200, { 'x-envoy-upstream-healthchecked-cluster': 'other' });
    const r = await p.run();
    assert.equal(r.healthy, false);
    assert.equal(r.failure, FailureType.Active);
    up.setPathStatus('/id', 503, { 'x-envoy-immediate-health-check-fail': 'true', 'x-envoy-upstream-healthchecked-cluster': 'petstore' });
    assert.equal((await p.run()).immediateFail, true);
    p.close();
  });

  it('keeps its connection with reuse_connection (default) and opens one per check without', async () => {
    up.setPathStatus('/r', 200);
    const before = up.connections;
    const keep = probeFor(up.port, { http_health_check: { path: '/r' } });
    await keep.run();
    await keep.run();
    await keep.run();
    assert.equal(up.connections - before, 1);
    keep.close();
    const fresh = probeFor(up.port, { reuse_connection: { value: false }, http_health_check: { path: '/r' } });
    const mid = up.connections;
    await fresh.run();
    await fresh.run();
    assert.equal(up.connections - mid, 2);
    fresh.close();
  });

  it('a refused connection is a network failure; abort gives up on a hanging check', async () => {
    const dead = probeFor(await freePort(), { http_health_check: { path: '/x' } });
    const r = await dead.run();
    assert.equal(r.healthy, false);
    assert.equal(r.failure, FailureType.Network);
    dead.close();

    const hanging = await UpstreamServer.start('hang');
    hanging.setHang(true);
    const p = probeFor(hanging.port, { http_health_check: { path: '/x' } });
    const pending = p.run();
    while (hanging.received.length === 0) await new Promise((res) => setTimeout(res, 10));
    p.abort();
    assert.equal((await pending).healthy, false);
    await hanging.close();
  });

  it('speaks HTTP/2 (h2c) with codec_client_type HTTP2', async () => {
    const seen: http2.IncomingHttpHeaders[] = [];
    const server = http2.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(req.url === '/ok' ? 200 : 500);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const p = probeFor(port, { http_health_check: { path: '/ok', codec_client_type: 'HTTP2', host: 'h2.internal' } });
    assert.equal((await p.run()).healthy, true);
    assert.equal(seen[0]![':authority'], 'h2.internal');
    assert.equal(seen[0]!['user-agent'], 'Envoy/HC');
    p.close();
    const bad = probeFor(port, { http_health_check: { path: '/nope', codec_client_type: 'HTTP2' } });
    assert.equal((await bad.run()).failure, FailureType.Active);
    bad.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('TCP probe', () => {
  it('matches receive blocks in order, not necessarily contiguous', () => {
    assert.equal(containsInOrder(Buffer.from('xxPOyyNGzz'), [Buffer.from('PO'), Buffer.from('NG')]), true);
    assert.equal(containsInOrder(Buffer.from('NGPO'), [Buffer.from('PO'), Buffer.from('NG')]), false);
    assert.equal(containsInOrder(Buffer.from(''), []), true);
  });

  it('sends the hex payload and waits for the reply; connect-only without payloads', async () => {
    const server = await TcpPingServer.start('PING', 'PONG');
    const p = probeFor(server.port, { tcp_health_check: { send: { text: '50494E47' }, receive: [{ text: '504f' }, { text: '4e47' }] } });
    assert.deepEqual(await p.run(), { healthy: true });
    assert.equal(Buffer.concat(server.received).toString(), 'PING');
    assert.deepEqual(await p.run(), { healthy: true }, 'again on the same connection');
    p.close();
    const connectOnly = probeFor(server.port, { tcp_health_check: {} });
    assert.equal((await connectOnly.run()).healthy, true);
    connectOnly.close();
    await server.close();
    const refused = probeFor(server.port, { tcp_health_check: {} });
    assert.equal((await refused.run()).failure, FailureType.Network);
    refused.close();
  });

  it('a wrong reply is not healthy: the check ends only when the connection does', async () => {
    const server = await TcpPingServer.start('PING', 'NOPE');
    const p = probeFor(server.port, { tcp_health_check: { send: { text: '50494E47' }, receive: [{ text: '504F4E47' }] } });
    const pending = p.run();
    while (server.received.length === 0) await new Promise((res) => setTimeout(res, 10));
    await server.close();
    const r = await pending;
    assert.equal(r.healthy, false);
    assert.equal(r.failure, FailureType.Network);
    p.close();
  });

  it('refuses payloads that are not hex', () => {
    assert.throws(() => compileHealthCheck({ timeout: sec(1), interval: sec(1), tcp_health_check: { send: { text: 'PING' } } }, 'c'), /not hex/);
  });
});

describe('gRPC probe', () => {
  it('encodes HealthCheckRequest and decodes HealthCheckResponse', () => {
    assert.deepEqual([...encodeHealthCheckRequest('')], [0, 0, 0, 0, 0]);
    assert.deepEqual([...encodeHealthCheckRequest('a')], [0, 0, 0, 0, 3, 0x0a, 1, 0x61]);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 2])), 2);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 9, 0x08])), undefined);
  });

  it('is healthy only for SERVING; NOT_SERVING and unknown services fail at once', async () => {
    const server = await GrpcHealthServer.start({ 'echo.Echo': 'SERVING' });
    try {
      const p = probeFor(server.port, {
        grpc_health_check: { service_name: 'echo.Echo', initial_metadata: [{ header: { key: 'x-probe', value: 'gloo' } }] },
      });
      assert.deepEqual(await p.run(), { healthy: true });
      assert.equal(server.checks.at(-1)!.service, 'echo.Echo');
      assert.equal(server.checks.at(-1)!.metadata['x-probe'], 'gloo');
      server.setStatus('echo.Echo', 'NOT_SERVING');
      const r = await p.run();
      assert.equal(r.healthy, false);
      assert.equal(r.failure, FailureType.Active);
      assert.equal(r.reason, 'NOT_SERVING');
      p.close();
      const unknown = probeFor(server.port, { grpc_health_check: { service_name: 'nope' } });
      const u = await unknown.run();
      assert.equal(u.failure, FailureType.Active);
      assert.match(u.reason ?? '', /grpc-status 5/);
      unknown.close();
    } finally {
      await server.close();
    }
    const refused = probeFor(server.port, { grpc_health_check: {} });
    assert.equal((await refused.run()).failure, FailureType.Network);
    refused.close();
  });
});
