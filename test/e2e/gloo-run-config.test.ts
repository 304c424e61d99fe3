/**
 * `gloo run` end to end: hot reload without failing in-flight requests, the three statuses as
 * `glooctl` shows them, and bad input of every kind — each reported clearly while everything else
 * keeps serving.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { getFreePort, glooctl, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let gloo: GlooProcess;
let dir: string;
let echo: UpstreamServer;
let port: number;

const get = (p: string, host = 'good.example.com', headers: Record<string, string> = {}) =>
  request(`http://127.0.0.1:${port}${p}`, { headers: { host, ...headers } }).then(async (r) => ({ status: r.statusCode, text: await r.body.text() }));

const vs = (name: string, domain: string, routes: string) => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['${domain}']
    routes:
${routes}`;

const routeTo = (prefix: string, upstream: string) =>
  `    - matchers: [{prefix: '${prefix}'}]\n      routeAction: {single: {upstream: {name: ${upstream}, namespace: gloo-system}}}\n`;

async function resources(kind: string): Promise<any[]> {
  const res = await fetch(`${gloo.adminUrl}/api/v1/resources?kind=${kind}`);
  return ((await res.json()) as { items: any[] }).items;
}
async function statusOf(kind: string, name: string): Promise<{ state: string; reason?: string } | undefined> {
  const item = (await resources(kind)).find((i) => i.metadata.name === name);
  return item?.status?.statuses?.['gloo-system'];
}
async function sourceErrors(): Promise<string[]> {
  const res = await fetch(`${gloo.adminUrl}/api/v1/errors`);
  return ((await res.json()) as { errors: { text: string }[] }).errors.map((e) => e.text);
}

before(async () => {
  echo = await UpstreamServer.start('echo');
  port = await getFreePort();
  dir = makeConfigDir();
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
  writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', echo.port));
  writeConfig(dir, 'virtualservices/gloo-system/good.yaml', vs('good', 'good.example.com', routeTo('/', 'echo')));
  gloo = await startGloo(dir);
  await waitFor('the good VirtualService to serve', async () => (await get('/')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await echo?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('/ready answers 200 once the configuration is serving', async () => {
  const res = await fetch(`${gloo.adminUrl}/ready`);
  assert.equal(res.status, 200);
});

test('glooctl shows an Accepted VirtualService, its upstream, gateway and proxy', async () => {
  const vsTable = await glooctl(gloo, 'get', 'vs');
  assert.equal(vsTable.code, 0, vsTable.stderr);
  assert.match(vsTable.stdout, /VIRTUAL SERVICE \| DISPLAY NAME \| +DOMAINS +\| SSL/);
  assert.match(vsTable.stdout, /\| good +\| +\| good\.example\.com \| none \| Accepted /);
  assert.match(vsTable.stdout, /\/ -> gloo-system\.echo \(upstream\)/);

  const us = await glooctl(gloo, 'get', 'us', 'echo');
  assert.equal(us.code, 0, us.stderr);
  assert.match(us.stdout, /\| echo +\| Static \| Accepted \| hosts:/);
  assert.match(us.stdout, new RegExp(`- 127\\.0\\.0\\.1:${echo.port}`));

  const gw = await glooctl(gloo, 'get', 'gw');
  assert.match(gw.stdout, new RegExp(`\\| gw +\\| 127\\.0\\.0\\.1:${port} \\| false \\| HTTP `));

  const px = await glooctl(gloo, 'get', 'px');
  assert.match(px.stdout, /\| gateway-proxy \| gloo-system +\| gloo +\| 127\.0\.0\.1:\d+ \| gloo-system\.good/);
  assert.match(px.stdout, /Accepted/);
});

test('glooctl -o yaml and -o json print the Kubernetes form with status', async () => {
  const y = await glooctl(gloo, 'get', 'virtualservice', 'good', '-o', 'yaml');
  assert.equal(y.code, 0, y.stderr);
  const doc = parseYaml(y.stdout);
  assert.equal(doc.apiVersion, 'gateway.solo.io/v1');
  assert.equal(doc.kind, 'VirtualService');
  assert.equal(doc.metadata.name, 'good');
  assert.deepEqual(doc.spec.virtualHost.domains, ['good.example.com']);
  assert.equal(doc.status.statuses['gloo-system'].state, 'Accepted');
  assert.equal(doc.status.statuses['gloo-system'].reportedBy, 'gloo');

  const j = await glooctl(gloo, 'get', 'upstream', 'echo', '-o', 'json');
  const us = JSON.parse(j.stdout);
  assert.equal(us.kind, 'Upstream');
  assert.equal(us.spec.static.hosts[0].port, echo.port);
  assert.equal(us.status.statuses['gloo-system'].state, 'Accepted');

  const missing = await glooctl(gloo, 'get', 'vs', 'does-not-exist');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /not found/);
});

test('a route to a missing upstream is a Warning with Gloo\'s reason and answers 503', async () => {
  writeConfig(dir, 'virtualservices/gloo-system/missing.yaml', vs('missing', 'missing.example.com', routeTo('/', 'nope')));
  await waitFor('the missing-upstream route to answer 503', async () => (await get('/', 'missing.example.com')).status === 503);
  const st = await statusOf('VirtualService', 'missing');
  assert.equal(st?.state, 'Warning');
  assert.match(st?.reason ?? '', /InvalidDestinationWarning.*\*v1\.Upstream \{ gloo-system\.nope \} not found/);
  const table = await glooctl(gloo, 'get', 'vs', 'missing');
  assert.match(table.stdout, /Warning/);
  assert.match(table.stdout, /Reason: .*not found/s);
  assert.equal((await get('/')).status, 200, 'the good VirtualService is unaffected');
});

test('an invalid regex Rejects its VirtualService; every other VirtualService keeps working', async () => {
  writeConfig(
    dir,
    'virtualservices/gloo-system/badregex.yaml',
    vs('badregex', 'regex.example.com', `    - matchers: [{regex: '/items/(['}]\n      routeAction: {single: {upstream: {name: echo}}}\n`),
  );
  const st = await waitFor('badregex to be Rejected', async () => {
    const s = await statusOf('VirtualService', 'badregex');
    return s?.state === 'Rejected' ? s : undefined;
  });
  assert.match(st.reason ?? '', /virtual service \[gloo-system\.badregex\] has a regex matcher with invalid regex/);
  const table = await glooctl(gloo, 'get', 'vs', 'badregex');
  assert.match(table.stdout, /Rejected/);
  assert.equal((await get('/')).status, 200);
  assert.equal((await get('/', 'regex.example.com')).status, 404, 'a Rejected VirtualService with no accepted version serves nothing');
});

test('a Rejected VirtualService keeps serving its last accepted version, and recovers when fixed', async () => {
  writeConfig(dir, 'virtualservices/gloo-system/keep.yaml', vs('keep', 'keep.example.com', routeTo('/', 'echo')));
  await waitFor('keep to serve', async () => (await get('/', 'keep.example.com')).status === 200);
  // An invalid regex (a translation error) …
  writeConfig(
    dir,
    'virtualservices/gloo-system/keep.yaml',
    vs('keep', 'keep.example.com', `    - matchers: [{regex: '*bad'}]\n      routeAction: {single: {upstream: {name: echo}}}\n`),
  );
  await waitFor('keep to be Rejected', async () => (await statusOf('VirtualService', 'keep'))?.state === 'Rejected');
  assert.equal((await get('/', 'keep.example.com')).status, 200, 'the last accepted version keeps serving');
  // … and a wrong type (a load error) both keep the last good version.
  writeConfig(dir, 'virtualservices/gloo-system/keep.yaml', vs('keep', 'keep.example.com', '      5\n').replace('routes:\n      5', 'routes: 5'));
  const st = await waitFor('keep to be Rejected for its type error', async () => {
    const s = await statusOf('VirtualService', 'keep');
    return s?.state === 'Rejected' && /expected a list/.test(s.reason ?? '') ? s : undefined;
  });
  assert.match(st.reason ?? '', /virtualservices\/gloo-system\/keep\.yaml:\d+:\d+: spec\.virtualHost\.routes: expected a list/);
  assert.equal((await get('/', 'keep.example.com')).status, 200);
  writeConfig(dir, 'virtualservices/gloo-system/keep.yaml', vs('keep', 'keep.example.com', routeTo('/', 'echo')));
  await waitFor('keep to recover', async () => (await statusOf('VirtualService', 'keep'))?.state === 'Accepted');
});

test('an unsupported field gives a Warning that names it', async () => {
  writeConfig(
    dir,
    'virtualservices/gloo-system/cors.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: cors, namespace: gloo-system}
spec:
  virtualHost:
    domains: [cors.example.com]
    options:
      cors: {allowOrigin: ['*']}
    routes:
${routeTo('/', 'echo')}`,
  );
  const st = await waitFor('cors to get its Warning', async () => {
    const s = await statusOf('VirtualService', 'cors');
    return s?.state === 'Warning' ? s : undefined;
  });
  assert.match(st.reason ?? '', /spec\.virtualHost\.options\.cors/);
  assert.equal((await get('/', 'cors.example.com')).status, 200, 'the rest of the VirtualService serves');
});

test('hot reload: a request in flight during a config change completes; the next uses the new config', async () => {
  writeConfig(dir, 'virtualservices/gloo-system/reload.yaml', vs('reload', 'reload.example.com', routeTo('/old', 'echo')));
  await waitFor('reload /old to serve', async () => (await get('/old', 'reload.example.com')).status === 200);
  const inFlight = get('/old', 'reload.example.com', { 'x-upstream-delay-ms': '1500' });
  await new Promise((r) => setTimeout(r, 200));
  writeConfig(dir, 'virtualservices/gloo-system/reload.yaml', vs('reload', 'reload.example.com', routeTo('/new', 'echo')));
  await waitFor('reload /new to serve', async () => (await get('/new', 'reload.example.com')).status === 200);
  const r = await inFlight;
  assert.equal(r.status, 200, 'the in-flight request completed');
  assert.equal(JSON.parse(r.text).url, '/old');
  assert.equal((await get('/old', 'reload.example.com')).status, 404);
  fs.rmSync(path.join(dir, 'virtualservices/gloo-system/reload.yaml'));
  await waitFor('the deleted VirtualService to stop serving', async () => (await get('/new', 'reload.example.com')).status === 404);
  assert.equal((await resources('VirtualService')).some((i) => i.metadata.name === 'reload'), false);
});

test('malformed YAML is reported with file:line and changes nothing else', async () => {
  writeConfig(dir, 'broken.yaml', 'apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: broken\nspec: [\n');
  const errs = await waitFor('the syntax error to be reported', async () => {
    const e = await sourceErrors();
    return e.some((t) => t.startsWith('broken.yaml:')) ? e : undefined;
  });
  assert.ok(errs.some((t) => /^broken\.yaml:\d+:\d+: /.test(t)), errs.join('\n'));
  assert.equal((await get('/')).status, 200);
  assert.match(gloo.output(), /broken\.yaml:\d+:\d+/);
  fs.rmSync(path.join(dir, 'broken.yaml'));
});

test('an unknown kind and a duplicate resource are reported, the rest keeps serving', async () => {
  writeConfig(dir, 'service.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: petstore}\nspec: {ports: [{port: 8080}]}\n');
  writeConfig(dir, 'zz-duplicate.yaml', vs('good', 'other.example.com', routeTo('/', 'echo')));
  const errs = await waitFor('both problems to be reported', async () => {
    const e = await sourceErrors();
    const all = [...e, (await statusOf('VirtualService', 'good'))?.reason ?? ''];
    return e.some((t) => /service\.yaml:2:1: kind: unknown kind "Service"/.test(t)) ? all : undefined;
  });
  assert.ok(errs.some((t) => /unknown kind "Service"/.test(t)));
  assert.equal((await get('/')).status, 200, 'the first definition of good still serves');
  assert.equal((await get('/', 'other.example.com')).status, 404, 'the duplicate is ignored');
  const dup = await waitFor('the duplicate to be reported', async () => {
    const all = [...(await sourceErrors()), JSON.stringify(await resources('VirtualService'))];
    return all.find((t) => /duplicate VirtualService gloo-system\.good/.test(t));
  });
  assert.match(dup, /zz-duplicate\.yaml/);
  fs.rmSync(path.join(dir, 'service.yaml'));
  fs.rmSync(path.join(dir, 'zz-duplicate.yaml'));
});

test('a listener port already in use is reported with the port and the Gateway; other listeners serve', async () => {
  const blocker = net.createServer();
  const busy = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
  try {
    writeConfig(dir, 'gateways/gloo-system/busy.yaml', yaml.gateway('busy', busy));
    const errs = await waitFor('the bind error to be reported', async () => {
      const e = await sourceErrors();
      return e.find((t) => t.includes(String(busy))) ? e : undefined;
    });
    const line = errs.find((t) => t.includes(String(busy)))!;
    assert.match(line, /EADDRINUSE/);
    assert.match(line, /gloo-system\.busy/);
    assert.equal((await get('/')).status, 200, 'the other listener keeps serving');
    const st = await waitFor('the Gateway to show the bind error', async () => {
      const s = await statusOf('Gateway', 'busy');
      return s?.state === 'Warning' ? s : undefined;
    });
    assert.match(st.reason ?? '', new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busy}: EADDRINUSE`));
    const table = await glooctl(gloo, 'get', 'gw', 'busy');
    assert.match(table.stdout, /Warning/);
    // Once the port is free, the next configuration binds it and the error clears.
    blocker.close();
    writeConfig(dir, 'upstreams/gloo-system/nudge.yaml', yaml.staticUpstream('nudge', 1));
    await waitFor('the listener to bind once the port is free', async () => (await statusOf('Gateway', 'busy'))?.state === 'Accepted');
    assert.equal((await sourceErrors()).some((t) => t.includes(String(busy))), false);
    fs.rmSync(path.join(dir, 'upstreams/gloo-system/nudge.yaml'));
  } finally {
    fs.rmSync(path.join(dir, 'gateways/gloo-system/busy.yaml'), { force: true });
    blocker.close();
  }
});
