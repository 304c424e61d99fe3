/**
 * `gloo run` end to end: Gloo `options.retries` on a route and on a virtual host, translated to Envoy's
 * retry_policy and enforced by the data plane, against an upstream that fails the first request of
 * every path once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { getFreePort, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let gloo: GlooProcess;
let dir: string;
let upstream: Server;
let upstreamPort: number;
let port: number;
/** Requests received per path. */
const seen = new Map<string, number>();

const get = (path: string, host: string, body?: string) =>
  request(`http://127.0.0.1:${port}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { host }, body }).then(async (r) => ({
    status: r.statusCode,
    text: await r.body.text(),
  }));

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      // The readiness probe path always succeeds; every other path fails its first request once.
      if (n === 1 && path !== '/ready-probe') {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('first attempt fails');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`ok after ${n} attempts; body=${Buffer.concat(chunks).toString('utf8')}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as { port: number }).port;
  port = await getFreePort();
  dir = makeConfigDir();
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
  writeConfig(dir, 'upstreams/gloo-system/flaky.yaml', yaml.staticUpstream('flaky', upstreamPort));
  writeConfig(
    dir,
    'virtualservices/gloo-system/retries.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: retries, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['retries.example.com']
    routes:
    - matchers: [{prefix: /with-retries}]
      options:
        retries: {retryOn: 5xx, numRetries: 2, retryBackOff: {baseInterval: 0.001s}}
      routeAction: {single: {upstream: {name: flaky, namespace: gloo-system}}}
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: flaky, namespace: gloo-system}}}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vhost-retries, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['vhost.example.com']
    options:
      retries: {retryOn: 'gateway-error', numRetries: 1, retryBackOff: {baseInterval: 0.001s}}
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: flaky, namespace: gloo-system}}}
`,
  );
  gloo = await startGloo(dir);
  await waitFor('the VirtualService to serve', async () => (await get('/ready-probe', 'retries.example.com')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  upstream?.closeAllConnections();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a route with options.retries hides a failure of the upstream', async () => {
  const r = await get('/with-retries/a', 'retries.example.com');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'ok after 2 attempts; body=');
  assert.equal(seen.get('/with-retries/a'), 2);
});

test('a retried POST reaches the upstream with its body', async () => {
  const r = await get('/with-retries/post', 'retries.example.com', 'payload');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'ok after 2 attempts; body=payload');
});

test('a route without retries passes the failure through', async () => {
  const r = await get('/plain', 'retries.example.com');
  assert.equal(r.status, 503);
  assert.equal(r.text, 'first attempt fails');
  assert.equal(seen.get('/plain'), 1);
});

test("the virtual host's retries apply to its routes", async () => {
  const r = await get('/vh', 'vhost.example.com');
  assert.equal(r.status, 200);
  assert.equal(seen.get('/vh'), 2);
});
