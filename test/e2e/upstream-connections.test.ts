/**
 * gateway-proxy end to end, connection settings of a cluster (Gloo `connectionConfig`): connections
 * reused by default, `max_requests_per_connection` closing them after N requests (the upstream counts
 * its connections), pipe endpoints (a Unix socket), an unreachable pipe, and a websocket-style upgrade
 * through a pipe endpoint (raw connections go the way the pool does).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../../src/xds/envoy-types.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

function maxRequestsPerConnection(n: number): Partial<Cluster> {
  return {
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': TYPE_URL.upstreamHttpProtocolOptions,
        common_http_protocol_options: { max_requests_per_connection: { value: n } },
        explicit_http_config: { http_protocol_options: {} },
      },
    },
  };
}

function pipeCluster(name: string, path: string): Cluster {
  return {
    name,
    type: 'STATIC',
    connect_timeout: { seconds: '5', nanos: 0 },
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path } } } }] }] },
  };
}

describe('gateway-proxy upstream connection settings (e2e)', () => {
  let reuse: UpstreamServer;
  let two: UpstreamServer;
  let one: UpstreamServer;
  let pipe: UpstreamServer;
  let dir: string;
  let h: ProxyHarness;
  let port: number;
  let base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gloo-ts-pipe-'));
    reuse = await UpstreamServer.start('reuse');
    two = await UpstreamServer.start('two');
    one = await UpstreamServer.start('one');
    pipe = await UpstreamServer.startPipe('pipe', join(dir, 'app.sock'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const clusters: Cluster[] = [
      staticCluster('reuse', [{ address: '127.0.0.1', port: reuse.port }]),
      staticCluster('two', [{ address: '127.0.0.1', port: two.port }], maxRequestsPerConnection(2)),
      staticCluster('one', [{ address: '127.0.0.1', port: one.port }], maxRequestsPerConnection(1)),
      pipeCluster('pipe', join(dir, 'app.sock')),
      pipeCluster('no-pipe', join(dir, 'nobody-listens.sock')),
    ];
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [httpListener('main', '127.0.0.1', port, 'routes')],
        clusters,
        routes: [routeConfig('routes', [vhost('main', ['*'], clusters.map((c) => prefixRoute(`/${c.name}/`, c.name)))])],
      }),
    );
  });

  after(async () => {
    await h.close();
    await Promise.all([reuse.close(), two.close(), one.close(), pipe.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function sequential(prefix: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const r = await h.get(`${base}/${prefix}/${i}`);
      assert.equal(r.status, 200, r.text);
    }
  }

  it('reuses one connection for sequential requests by default', async () => {
    await sequential('reuse', 6);
    assert.equal(reuse.connections, 1);
  });

  it('max_requests_per_connection 2: a new connection every two requests', async () => {
    await sequential('two', 6);
    assert.equal(two.connections, 3);
  });

  it('max_requests_per_connection 1: a connection per request', async () => {
    await sequential('one', 4);
    assert.equal(one.connections, 4);
  });

  it('pipe endpoints: HTTP/1.1 over a Unix socket', async () => {
    const r = await h.get(`${base}/pipe/hello?x=1`, { method: 'POST', body: 'over a pipe' });
    assert.equal(r.status, 200, r.text);
    const e = JSON.parse(r.text) as EchoResponse;
    assert.equal(e.name, 'pipe');
    assert.equal(e.url, '/pipe/hello?x=1');
    assert.equal(e.body, 'over a pipe');
    assert.equal(e.headers.host, `127.0.0.1:${port}`);
    assert.deepEqual(
      h.proxy.config!.clusters.get('pipe')!.hosts.hosts.map((x) => x.authority),
      [join(dir, 'app.sock')],
    );
  });

  it('a pipe nobody listens on is a connection failure (503)', async () => {
    const r = await h.get(`${base}/no-pipe/`);
    assert.equal(r.status, 503);
    assert.equal(r.text, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure');
  });

  it('upgrades reach a pipe endpoint through the same kind of connection', async () => {
    const head = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let data = '';
      s.on('data', (c: Buffer) => {
        data += c.toString('latin1');
        if (data.includes('\r\n\r\n')) {
          s.destroy();
          resolve(data);
        }
      });
      s.on('error', reject);
      s.write('GET /pipe/ws HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');
    });
    // The echo server does not upgrade: it answers the request as a plain one, which proves the
    // request went through the pipe.
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.match(head, /x-upstream-name: pipe/i);
  });
});
