/**
 * gateway-proxy end to end: the HTTP filter chain (fault, health_check, grpc_web pass-through,
 * skipped filters), HCM settings (max header size, underscores, request id, XFF with trusted hops,
 * server / via) and file access logs in the default and JSON formats with filters.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { hcm, loadAssignment, prefixRoute, routeConfig, snapshot, staticCluster, vhost, hcmListener } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const listener = hcmListener;

const FILTERS = [
  { name: 'envoy.filters.http.fault', typed_config: { '@type': TYPE_URL.fault } },
  {
    name: 'envoy.filters.http.cors',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' },
  },
  {
    name: 'envoy.filters.http.health_check',
    typed_config: { '@type': TYPE_URL.healthCheck, pass_through_mode: { value: false }, headers: [{ name: ':path', string_match: { exact: '/healthz' } }] },
  },
  { name: 'envoy.filters.http.grpc_web', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb' } },
  { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } },
];

/** The file's lines once one of them contains `needle` (the lines are written after each response). */
async function waitForLines(path: string, needle: string): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
      if (lines.some((l) => l.includes(needle))) return lines;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`${path} has no line with ${needle}: ${existsSync(path) ? readFileSync(path, 'utf8') : 'no file'}`);
}

describe('gateway-proxy filters, HCM settings and access logs (e2e)', () => {
  let h: ProxyHarness;
  let a: UpstreamServer;
  let dir: string;
  let base: string;
  let strict: string;
  let drop: string;
  let strictPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gloo-ts-al-'));
    a = await UpstreamServer.start('a');
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    strictPort = p2;
    base = `http://127.0.0.1:${p1}`;
    strict = `http://127.0.0.1:${p2}`;
    drop = `http://127.0.0.1:${p3}`;
    h = new ProxyHarness();
    const main = hcm('routes', {
      http_filters: FILTERS,
      use_remote_address: { value: true },
      xff_num_trusted_hops: 1,
      server_name: 'gloo',
      via: 'gloo-ts',
      access_log: [
        {
          name: 'envoy.access_loggers.file',
          typed_config: { '@type': TYPE_URL.fileAccessLog, path: join(dir, 'default.log') },
          filter: { not_health_check_filter: {} },
        },
        {
          name: 'envoy.access_loggers.file',
          typed_config: {
            '@type': TYPE_URL.fileAccessLog,
            path: join(dir, 'errors.json'),
            log_format: {
              json_format: {
                fields: {
                  status: { stringValue: '%RESPONSE_CODE%' },
                  path: { stringValue: '%REQ(:PATH)%' },
                  flags: { stringValue: '%RESPONSE_FLAGS%' },
                  route: { stringValue: 'route=%ROUTE_NAME%' },
                  unknown: { stringValue: '%NO_SUCH_OPERATOR%' },
                },
              },
            },
          },
          filter: { status_code_filter: { comparison: { op: 'GE', value: { default_value: 400 } } } },
        },
      ],
    });
    await h.push(
      snapshot('1', {
        listeners: [
          listener('main', p1, main),
          listener('strict', p2, hcm('routes', { max_request_headers_kb: { value: 1 }, common_http_protocol_options: { headers_with_underscores_action: 'REJECT_REQUEST' } })),
          listener('drop', p3, hcm('routes', { common_http_protocol_options: { headers_with_underscores_action: 'DROP_HEADER' }, generate_request_id: { value: false } })),
        ],
        clusters: [staticCluster('a_default', [{ address: '127.0.0.1', port: a.port }])],
        endpoints: [loadAssignment('a_default', [{ address: '127.0.0.1', port: a.port }])],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/abort', 'a_default', {
                name: 'abort-route',
                typed_per_filter_config: {
                  'envoy.filters.http.fault': { '@type': TYPE_URL.fault, abort: { http_status: 418, percentage: { numerator: 100, denominator: 'HUNDRED' } } },
                },
              }),
              prefixRoute('/delay', 'a_default', {
                typed_per_filter_config: {
                  'envoy.filters.http.fault': {
                    '@type': TYPE_URL.fault,
                    delay: { fixed_delay: { seconds: '0', nanos: 20_000_000 }, percentage: { numerator: 1_000_000, denominator: 'MILLION' } },
                  },
                },
              }),
              prefixRoute('/', 'a_default'),
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aborts with the fault status on a route with a 100% abort, without reaching the upstream', async () => {
    const before = a.received.length;
    const r = await h.get(`${base}/abort`);
    assert.equal(r.status, 418);
    assert.equal(r.text, 'fault filter abort');
    assert.equal(a.received.length, before);
    assert.equal(h.proxy.stats.fault_aborts_injected, 1);
  });

  it('delays and then forwards on a route with a 100% delay', async () => {
    const r = await h.get(`${base}/delay`);
    assert.equal(r.status, 200);
    assert.equal(h.proxy.stats.fault_delays_injected, 1);
  });

  it('answers the health check path itself: 200, 503 while draining', async () => {
    const before = a.received.length;
    assert.equal((await h.get(`${base}/healthz`)).status, 200);
    h.proxy.setDraining(true);
    assert.equal((await h.get(`${base}/healthz`)).status, 503);
    h.proxy.setDraining(false);
    assert.equal((await h.get(`${base}/healthz`)).status, 200);
    assert.equal(a.received.length, before);
    // Other paths still reach the upstream (grpc_web and the skipped cors filter do not get in the way).
    assert.equal((await h.get(`${base}/healthz/not`)).status, 200);
  });

  it('sets server and via, keeps an internal request id, trusts one XFF hop', async () => {
    const r = await h.get(`${base}/x`, { headers: { 'x-request-id': 'given' } });
    assert.equal(r.headers.server, 'gloo');
    assert.equal(r.headers.via, 'gloo-ts');
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.headers['x-request-id'], 'given');
    assert.equal(echo.headers['x-envoy-internal'], 'true');
    assert.equal(echo.headers.via, 'gloo-ts');
    // One trusted hop: the client is the address before ours in XFF — external, so its request id is replaced.
    const ext = JSON.parse((await h.get(`${base}/x`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-request-id': 'spoofed' } })).text) as EchoResponse;
    assert.equal(ext.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(ext.headers['x-envoy-external-address'], '203.0.113.7');
    assert.equal(ext.headers['x-envoy-internal'], undefined);
    assert.match(String(ext.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('writes the default access log format, without health checks', async () => {
    await h.get(`${base}/logged?q=1`, { headers: { 'user-agent': 'test-agent' } });
    const lines = await waitForLines(join(dir, 'default.log'), '/logged');
    assert.ok(!lines.some((l) => l.includes('/healthz"')), 'health checks are filtered out');
    const abort = lines.find((l) => l.includes('/abort'))!;
    assert.match(abort, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "GET \/abort HTTP\/1\.1" 418 FI 0 18 \d+ - "127\.0\.0\.1" "-" "[0-9a-f-]{36}" "127\.0\.0\.1:\d+" "-"$/);
    const logged = lines.find((l) => l.includes('/logged'))!;
    assert.match(logged, new RegExp(`"GET /logged\\?q=1 HTTP/1\\.1" 200 - 0 \\d+ \\d+ - "127\\.0\\.0\\.1" "test-agent" "[0-9a-f-]{36}" "127\\.0\\.0\\.1:\\d+" "127\\.0\\.0\\.1:${a.port}"$`));
    assert.ok(lines.some((l) => l.includes('"GET /delay HTTP/1.1" 200 DI ')));
  });

  it('writes JSON lines for the requests its status filter keeps', async () => {
    await h.get(`${base}/abort?json`);
    const lines = await waitForLines(join(dir, 'errors.json'), '/abort?json');
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(objs.every((o) => (o.status as number) >= 400));
    assert.deepEqual(objs.find((o) => o.path === '/abort?json'), { status: 418, path: '/abort?json', flags: 'FI', route: 'route=abort-route', unknown: null });
    assert.ok(objs.some((o) => o.status === 503 && o.path === '/healthz'), 'the draining health check answer is logged here');
    assert.ok(h.logs.some((l) => l.msg.includes('operator this data plane does not know') && l.fields?.operator === 'NO_SUCH_OPERATOR'));
  });

  it('answers 431 past max_request_headers_kb', async () => {
    const raw = await rawHttp(strictPort, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2000)}\r\nConnection: close\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.1 431 /);
    assert.equal((await h.get(`${strict}/`)).status, 200);
  });

  it('rejects (400) or drops headers with underscores, as configured', async () => {
    const rejected = await h.get(`${strict}/`, { headers: { x_under: '1' } });
    assert.equal(rejected.status, 400, rejected.text);
    assert.equal(h.proxy.stats.downstream_rq_rejected_underscore, 1);
    const r = await h.get(`${drop}/`, { headers: { x_under: '1', 'x-dash': '2' } });
    assert.equal(r.status, 200);
    const echo = JSON.parse(r.text) as EchoResponse;
    assert.equal(echo.headers.x_under, undefined);
    assert.equal(echo.headers['x-dash'], '2');
    // generate_request_id false: none added.
    assert.equal(echo.headers['x-request-id'], undefined);
  });
});

function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}
