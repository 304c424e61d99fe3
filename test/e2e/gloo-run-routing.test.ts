/**
 * `gloo run` end to end: real upstream servers, the gateway started as a user starts it, real HTTP
 * requests through it — every matcher and action of the first slice.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { request } from 'undici';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { getFreePort, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let gloo: GlooProcess;
let dir: string;
let a: UpstreamServer;
let b: UpstreamServer;
let port: number;

const get = (path: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') =>
  request(`http://127.0.0.1:${port}${path}`, { method, headers }).then(async (r) => ({
    status: r.statusCode,
    headers: r.headers,
    text: await r.body.text(),
  }));

before(async () => {
  a = await UpstreamServer.start('a');
  b = await UpstreamServer.start('b');
  port = await getFreePort();
  dir = makeConfigDir();
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
  writeConfig(dir, 'upstreams.yaml', `${yaml.staticUpstream('us-a', a.port)}---\n${yaml.staticUpstream('us-b', b.port, 'team-b')}`);
  writeConfig(
    dir,
    'virtualservices/gloo-system/routes.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: routes, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{exact: /all-pets}]
      options: {prefixRewrite: /api/pets}
      routeAction: {single: {upstream: {name: us-a}}}
    - matchers: [{prefix: /b/}]
      routeAction: {single: {upstream: {name: us-b, namespace: team-b}}}
    - matchers: [{regex: '/items/[0-9]+'}]
      routeAction: {single: {upstream: {name: us-a, namespace: gloo-system}}}
    - matchers: [{prefix: /hdr, headers: [{name: x-team, value: blue}]}]
      routeAction: {single: {upstream: {name: us-b, namespace: team-b}}}
    - matchers: [{prefix: /hdr}]
      routeAction: {single: {upstream: {name: us-a}}}
    - matchers: [{prefix: /q, queryParameters: [{name: version, value: '2'}]}]
      routeAction: {single: {upstream: {name: us-b, namespace: team-b}}}
    - matchers: [{prefix: /m, methods: [POST]}]
      routeAction: {single: {upstream: {name: us-b, namespace: team-b}}}
    - matchers: [{prefix: /CaSe, caseSensitive: false}]
      routeAction: {single: {upstream: {name: us-a}}}
    - matchers: [{prefix: /direct}]
      directResponseAction: {status: 418, body: "short and stout"}
    - matchers: [{prefix: /rewrite/}]
      options: {prefixRewrite: /}
      routeAction: {single: {upstream: {name: us-a}}}
`,
  );
  writeConfig(
    dir,
    'virtualservices/gloo-system/api.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: api, namespace: gloo-system}
spec:
  virtualHost:
    domains: [api.example.com, '*.wild.example.com']
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: us-b, namespace: team-b}}}
`,
  );
  gloo = await startGloo(dir);
  await waitFor('routes to serve', async () => (await get('/b/x')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await a?.close();
  await b?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('exact matcher with prefixRewrite reaches the upstream on the rewritten path', async () => {
  const r = await get('/all-pets');
  assert.equal(r.status, 200);
  const echo = JSON.parse(r.text);
  assert.equal(echo.name, 'a');
  assert.equal(echo.url, '/api/pets');
  assert.equal((await get('/all-pets/more')).status, 404, 'exact does not match a longer path');
});

test('prefix matcher routes to an upstream in another namespace', async () => {
  const echo = JSON.parse((await get('/b/anything?x=1')).text);
  assert.equal(echo.name, 'b');
  assert.equal(echo.url, '/b/anything?x=1');
});

test('regex matcher is a full match and ignores the query string', async () => {
  assert.equal(JSON.parse((await get('/items/42?debug=1')).text).name, 'a');
  assert.equal((await get('/items/42x')).status, 404);
  assert.equal((await get('/items/')).status, 404);
});

test('header, query parameter and method matchers', async () => {
  assert.equal(JSON.parse((await get('/hdr', { 'x-team': 'blue' })).text).name, 'b');
  assert.equal(JSON.parse((await get('/hdr', { 'x-team': 'red' })).text).name, 'a');
  assert.equal(JSON.parse((await get('/q?version=2')).text).name, 'b');
  assert.equal((await get('/q?version=3')).status, 404);
  assert.equal(JSON.parse((await get('/m', {}, 'POST')).text).name, 'b');
  assert.equal((await get('/m')).status, 404);
});

test('caseSensitive: false matches any case', async () => {
  assert.equal(JSON.parse((await get('/case/x')).text).name, 'a');
});

test('direct response action', async () => {
  const r = await get('/direct');
  assert.equal(r.status, 418);
  assert.equal(r.text, 'short and stout');
});

test('prefix rewrite to / keeps the rest of the path', async () => {
  assert.equal(JSON.parse((await get('/rewrite/pets/1')).text).url, '/pets/1');
});

test('virtual hosts are chosen by Host: exact, wildcard, then *', async () => {
  assert.equal(JSON.parse((await get('/all-pets', { host: 'api.example.com' })).text).name, 'b');
  assert.equal(JSON.parse((await get('/all-pets', { host: 'x.wild.example.com:1234' })).text).name, 'b');
  assert.equal(JSON.parse((await get('/all-pets', { host: 'other.example.com' })).text).name, 'a');
});

test('no matching route answers 404', async () => {
  assert.equal((await get('/nothing-here')).status, 404);
});

test('forwarding headers: x-forwarded-for, x-forwarded-proto, x-request-id; hop-by-hop headers removed', async () => {
  // node:http (unlike undici) sends a Connection header naming another hop-by-hop header.
  const text = await new Promise<string>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/b/h', headers: { connection: 'keep-alive, x-hop', 'x-hop': '1', 'x-keep': '1' } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
  const echo = JSON.parse(text);
  assert.match(echo.headers['x-forwarded-for'], /127\.0\.0\.1/);
  assert.equal(echo.headers['x-forwarded-proto'], 'http');
  assert.match(echo.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  assert.equal(echo.headers['x-hop'], undefined);
  assert.equal(echo.headers['x-keep'], '1');
});

test('request bodies are proxied', async () => {
  const body = 'x'.repeat(1 << 20);
  const r = await request(`http://127.0.0.1:${port}/b/upload`, { method: 'POST', body });
  const echo = (await r.body.json()) as { bodyLength: number };
  assert.equal(r.statusCode, 200);
  assert.equal(echo.bodyLength, body.length);
});
