/**
 * `gloo run` end to end, Gloo Upstream connection options from YAML to the wire: `sslConfig` from a
 * kubernetes.io/tls Secret (client certificate to a server that demands one, `ca.crt` verification,
 * `verifySubjectAltName`), `useHttp2` over TLS, a static upstream by host name with `useTls` and
 * automatic SNI, a `pipe` upstream, and `circuitBreakers` (503 `x-envoy-overloaded`).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { getFreePort, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { createPki, type Pki } from '../helpers/tls-upstream.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';

let gloo: GlooProcess;
let dir: string;
let sockDir: string;
let pki: Pki;
let mtls: UpstreamServer;
let h2: UpstreamServer;
let sni: UpstreamServer;
let pipe: UpstreamServer;
let slow: UpstreamServer;
let port: number;

const indent = (pem: string, n: number) => pem.trim().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

const get = async (path: string, headers: Record<string, string> = {}) => {
  const r = await request(`http://127.0.0.1:${port}${path}`, { headers: { host: 'up.example.com', ...headers } });
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
};

before(async () => {
  pki = createPki();
  const server = pki.issue('backend', ['DNS:backend.internal', 'DNS:localhost', 'IP:127.0.0.1']);
  const client = pki.issue('gloo-gateway', []);
  mtls = await UpstreamServer.startTls('mtls', { key: server.key, cert: server.cert, ca: pki.caCert, requestCert: true });
  h2 = await UpstreamServer.startHttp2('h2', { key: server.key, cert: server.cert });
  sni = await UpstreamServer.startTls('sni', { key: server.key, cert: server.cert });
  sockDir = mkdtempSync(join(tmpdir(), 'gloo-run-pipe-'));
  pipe = await UpstreamServer.startPipe('pipe', join(sockDir, 'app.sock'));
  slow = await UpstreamServer.start('slow');
  port = await getFreePort();
  dir = makeConfigDir();
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
  writeConfig(
    dir,
    'secrets/gloo-system/upstream-tls.yaml',
    `apiVersion: v1
kind: Secret
metadata: {name: upstream-tls, namespace: gloo-system}
type: kubernetes.io/tls
stringData:
  tls.crt: |
${indent(client.cert, 4)}
  tls.key: |
${indent(client.key, 4)}
  ca.crt: |
${indent(pki.caCert, 4)}
`,
  );
  const upstream = (name: string, spec: string) =>
    writeConfig(dir, `upstreams/gloo-system/${name}.yaml`, `apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: ${name}, namespace: gloo-system}\nspec:\n${spec}`);
  upstream(
    'mtls',
    `  static: {hosts: [{addr: 127.0.0.1, port: ${mtls.port}}]}
  sslConfig:
    secretRef: {name: upstream-tls, namespace: gloo-system}
    verifySubjectAltName: [backend.internal]
`,
  );
  upstream(
    'wrong-san',
    `  static: {hosts: [{addr: 127.0.0.1, port: ${mtls.port}}]}
  sslConfig:
    secretRef: {name: upstream-tls, namespace: gloo-system}
    verifySubjectAltName: [someone-else.internal]
`,
  );
  upstream(
    'h2',
    `  static: {hosts: [{addr: 127.0.0.1, port: ${h2.port}}]}
  useHttp2: true
  sslConfig:
    secretRef: {name: upstream-tls, namespace: gloo-system}
`,
  );
  upstream('by-name', `  static:\n    useTls: true\n    hosts: [{addr: localhost, port: ${sni.port}}]\n`);
  upstream('pipe', `  pipe: {path: ${join(sockDir, 'app.sock')}}\n`);
  upstream('guarded', `  static: {hosts: [{addr: 127.0.0.1, port: ${slow.port}}]}\n  circuitBreakers: {maxRequests: 1}\n`);
  const route = (prefix: string, up: string) => `    - matchers: [{prefix: /${prefix}/}]\n      routeAction: {single: {upstream: {name: ${up}, namespace: gloo-system}}}\n`;
  writeConfig(
    dir,
    'virtualservices/gloo-system/vs.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vs, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['up.example.com']
    routes:
${['mtls', 'wrong-san', 'h2', 'by-name', 'pipe', 'guarded'].map((u) => route(u, u)).join('')}`,
  );
  gloo = await startGloo(dir);
  await waitFor('the routes to be served', async () => (await get('/pipe/ready')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await Promise.all([mtls.close(), h2.close(), sni.close(), pipe.close(), slow.close()]);
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
  rmSync(sockDir, { recursive: true, force: true });
});

test('sslConfig from a Secret: the client certificate reaches a server that demands one, its SAN is verified', async () => {
  const r = await get('/mtls/x');
  assert.equal(r.status, 200, r.text);
  const e = JSON.parse(r.text) as EchoResponse;
  assert.equal(e.tls?.clientCert, 'gloo-gateway');
  const bad = await get('/wrong-san/x');
  assert.equal(bad.status, 503);
  assert.match(bad.text, /transport failure reason: TLS error: ERR_TLS_CERT_ALTNAME_INVALID: .*DNS:someone-else\.internal/);
  assert.match(gloo.output(), /upstream TLS handshake failed.*wrong-san_gloo-system/);
});

test('useHttp2 with sslConfig speaks HTTP/2 over TLS (ALPN h2)', async () => {
  const r = await get('/h2/x');
  assert.equal(r.status, 200, r.text);
  const e = JSON.parse(r.text) as EchoResponse;
  assert.equal(e.httpVersion, '2.0');
  assert.equal(e.tls?.alpn, 'h2');
});

test('a static upstream by host name with useTls sends the host name as SNI (autoSniRewrite)', async () => {
  const r = await get('/by-name/x');
  assert.equal(r.status, 200, r.text);
  assert.equal((JSON.parse(r.text) as EchoResponse).tls?.servername, 'localhost');
});

test('a pipe upstream is reached over its Unix socket', async () => {
  const r = await get('/pipe/x');
  assert.equal(r.status, 200, r.text);
  assert.equal((JSON.parse(r.text) as EchoResponse).name, 'pipe');
});

test('circuitBreakers.maxRequests: the request past the limit gets 503 x-envoy-overloaded', async () => {
  const arrived = slow.nextRequest();
  const held = httpRequest({ host: '127.0.0.1', port, path: '/guarded/held', headers: { host: 'up.example.com', 'x-upstream-hang': '1' }, agent: false });
  held.on('error', () => undefined);
  held.end();
  await arrived;
  try {
    const r = await get('/guarded/next');
    assert.equal(r.status, 503);
    assert.equal(r.headers['x-envoy-overloaded'], 'true');
  } finally {
    held.destroy();
  }
  await waitFor('the slot to come back', async () => (await get('/guarded/after')).status === 200);
});
