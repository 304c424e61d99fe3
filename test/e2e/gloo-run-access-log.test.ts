/**
 * `gloo run` end to end: a Gateway with `httpGateway.options.healthCheck.path` (answered by the
 * proxy) and `spec.options.accessLoggingService` file sinks (Envoy's default format and a JSON
 * format) written to temporary files.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { getFreePort, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let gloo: GlooProcess;
let dir: string;
let echo: UpstreamServer;
let port: number;

const get = (p: string) =>
  request(`http://127.0.0.1:${port}${p}`, { headers: { 'user-agent': 'e2e' } }).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }));

const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);

before(async () => {
  echo = await UpstreamServer.start('echo');
  port = await getFreePort();
  dir = makeConfigDir();
  const textLog = path.join(dir, 'access.log');
  const jsonLog = path.join(dir, 'access.json');
  writeConfig(
    dir,
    'gateways/gloo-system/gw.yaml',
    yaml
      .gateway('gw', port)
      .replace('  httpGateway: {}\n', '  httpGateway:\n    options:\n      healthCheck: {path: /healthz}\n') +
      `  options:
    accessLoggingService:
      accessLog:
      - fileSink: {path: '${textLog}', stringFormat: ''}
      - fileSink:
          path: '${jsonLog}'
          jsonFormat: {method: '%REQ(:METHOD)%', path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%', status: '%RESPONSE_CODE%', upstream: '%UPSTREAM_HOST%'}
`,
  );
  writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', echo.port));
  writeConfig(
    dir,
    'virtualservices/gloo-system/vs.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vs, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{prefix: '/'}]
      routeAction: {single: {upstream: {name: echo, namespace: gloo-system}}}
`,
  );
  gloo = await startGloo(dir);
  await waitFor('the VirtualService to serve', async () => (await get('/ready-check')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await echo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the health check path is answered by the proxy, without reaching the upstream', async () => {
  const before = echo.received.length;
  const r = await get('/healthz');
  assert.equal(r.status, 200);
  assert.equal(echo.received.length, before);
  await waitFor('the health check log line', async () => lines(path.join(dir, 'access.log')).some((l) => l.includes('/healthz')));
  assert.ok(lines(path.join(dir, 'access.log')).some((l) => l.includes('"GET /healthz HTTP/1.1" 200 - 0 0 ')), 'the health check is logged too (no filter)');
});

test('access log lines are written in the default and the JSON format', async () => {
  assert.equal((await get('/hello?x=1')).status, 200);
  const textLog = path.join(dir, 'access.log');
  const jsonLog = path.join(dir, 'access.json');
  await waitFor('the access log lines', async () => lines(textLog).some((l) => l.includes('/hello')) && lines(jsonLog).some((l) => l.includes('/hello')));
  const text = lines(textLog);
  const json = lines(jsonLog).map((l) => JSON.parse(l) as Record<string, unknown>);
  console.log(['# access.log', ...text, '# access.json', ...lines(jsonLog)].join('\n'));
  assert.match(
    text.find((l) => l.includes('/hello'))!,
    new RegExp(`^\\[[0-9T:.-]+Z\\] "GET /hello\\?x=1 HTTP/1\\.1" 200 - 0 \\d+ \\d+ - "127\\.0\\.0\\.1" "e2e" "[0-9a-f-]{36}" "127\\.0\\.0\\.1:${port}" "127\\.0\\.0\\.1:${echo.port}"$`),
  );
  assert.deepEqual(
    json.find((o) => o.path === '/hello?x=1'),
    { method: 'GET', path: '/hello?x=1', status: 200, upstream: `127.0.0.1:${echo.port}` },
  );
});
