/**
 * `settings.gloo.invalidConfigPolicy.replaceInvalidRoutes` end to end: a route to a missing upstream
 * answers 503 by default; with the Settings resource `gloo-system/default` turning the policy on it
 * answers 404 with Gloo's body (or the configured code and body) while the valid routes keep
 * forwarding; turning it off restores 503. The VirtualService stays a Warning throughout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { request } from 'undici';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { getFreePort, makeConfigDir, moreYaml, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { DEFAULT_INVALID_ROUTE_BODY } from '../../src/translator/settings.js';

let gloo: GlooProcess;
let dir: string;
let echo: UpstreamServer;
let port: number;

const get = (p: string) =>
  request(`http://127.0.0.1:${port}${p}`, { headers: { host: 'app.example.com' } }).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }));

const settings = (policy: string) => `apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default, namespace: gloo-system}
spec:
  gloo:
    invalidConfigPolicy: ${policy}
`;

async function vsStatus(): Promise<{ state: string; reason?: string } | undefined> {
  const res = await fetch(`${gloo.adminUrl}/api/v1/resources?kind=VirtualService`);
  const items = ((await res.json()) as { items: any[] }).items;
  return items.find((i) => i.metadata.name === 'app')?.status?.statuses?.['gloo-system'];
}

before(async () => {
  echo = await UpstreamServer.start('echo');
  port = await getFreePort();
  dir = makeConfigDir();
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
  writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', echo.port));
  writeConfig(
    dir,
    'virtualservices/gloo-system/app.yaml',
    moreYaml.virtualService('app', 'app.example.com', [
      ["{prefix: '/missing'}", 'does-not-exist'],
      ["{prefix: '/'}", 'echo'],
    ]),
  );
  gloo = await startGloo(dir);
  await waitFor('the valid route to serve', async () => (await get('/')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await echo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('without the policy a route to a missing upstream answers 503', async () => {
  assert.equal((await get('/missing')).status, 503);
  const st = await vsStatus();
  assert.equal(st?.state, 'Warning');
  assert.match(st?.reason ?? '', /InvalidDestinationWarning.*gloo-system\.does-not-exist/);
});

test('with replaceInvalidRoutes the route answers 404 with Gloo\'s body; valid routes still forward', async () => {
  writeConfig(dir, 'settings/gloo-system/default.yaml', settings('{replaceInvalidRoutes: true}'));
  const res = await waitFor('the invalid route to be replaced', async () => {
    const r = await get('/missing');
    return r.status === 404 ? r : undefined;
  });
  assert.equal(res.text, DEFAULT_INVALID_ROUTE_BODY);
  assert.equal((await get('/')).status, 200);
  const st = await vsStatus();
  assert.equal(st?.state, 'Warning', 'the VirtualService is still reported');
});

test('the response code and body come from the Settings', async () => {
  writeConfig(dir, 'settings/gloo-system/default.yaml', settings('{replaceInvalidRoutes: true, invalidRouteResponseCode: 410, invalidRouteResponseBody: gone for now}'));
  const res = await waitFor('the custom response', async () => {
    const r = await get('/missing');
    return r.status === 410 ? r : undefined;
  });
  assert.equal(res.text, 'gone for now');
});

test('turning the policy off restores 503', async () => {
  writeConfig(dir, 'settings/gloo-system/default.yaml', settings('{replaceInvalidRoutes: false}'));
  await waitFor('503 again', async () => (await get('/missing')).status === 503);
  assert.equal((await get('/')).status, 200);
});
