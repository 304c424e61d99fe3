/**
 * The split deployment end to end: one `gloo control-plane` and two `gloo proxy` processes (node
 * keys gloo-system~proxy-a and gloo-system~proxy-b, each with its own Gateway and port, both
 * selecting the same VirtualService) in front of real upstreams. Config changes reach both proxies;
 * a killed control plane leaves both serving their last configuration; a restarted one (same xDS
 * port) brings them to the configuration written while it was down. glooctl and the admin API show
 * the connected proxies and their ACKs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { UpstreamServer } from '../helpers/upstream-server.js';
import {
  getFreePort,
  glooctl,
  makeConfigDir,
  startControlPlane,
  startProxy,
  waitFor,
  writeConfig,
  yaml,
  type ControlPlaneProcess,
  type GlooProcess,
} from '../helpers/gloo-process.js';

let dir: string;
let cp: ControlPlaneProcess | undefined;
let proxyA: GlooProcess;
let proxyB: GlooProcess;
let one: UpstreamServer;
let two: UpstreamServer;
let portA: number;
let portB: number;

const gateway = (name: string, port: number, proxyName: string) => yaml.gateway(name, port, `  proxyNames: [${proxyName}]\n`);

const vs = (upstream: string, extraRoute = '') => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: shop, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
${extraRoute}    - matchers: [{prefix: '/'}]
      routeAction: {single: {upstream: {name: ${upstream}, namespace: gloo-system}}}
`;

/** The name of the upstream that answered `path` through the proxy on `port`, or the status. */
async function answer(port: number, path = '/'): Promise<string> {
  const res = await request(`http://127.0.0.1:${port}${path}`);
  const text = await res.body.text();
  if (res.statusCode !== 200) return String(res.statusCode);
  return (JSON.parse(text) as { name: string }).name;
}

interface XdsStatus {
  connections: { nodeId: string; role: string; streamType: string; types: Record<string, { lastSentVersion?: string; lastAckedVersion?: string; acks: number; nacks: number }> }[];
}

async function xds(g: GlooProcess): Promise<XdsStatus> {
  return (await (await fetch(`${g.adminUrl}/api/v1/xds`)).json()) as XdsStatus;
}

/** Both proxies connected, each with every type ACKed at the version last sent. */
async function bothAcked(g: GlooProcess): Promise<boolean> {
  const s = await xds(g);
  return ['gloo-system~proxy-a', 'gloo-system~proxy-b'].every((role) =>
    s.connections.some(
      (c) =>
        c.role === role &&
        ['CDS', 'EDS', 'LDS', 'RDS'].every((t) => c.types[t] && c.types[t]!.acks > 0 && c.types[t]!.lastAckedVersion === c.types[t]!.lastSentVersion),
    ),
  );
}

before(async () => {
  one = await UpstreamServer.start('one');
  two = await UpstreamServer.start('two');
  portA = await getFreePort();
  portB = await getFreePort();
  dir = makeConfigDir('gloo-split-');
  writeConfig(dir, 'gateways/gloo-system/gw-a.yaml', gateway('gw-a', portA, 'proxy-a'));
  writeConfig(dir, 'gateways/gloo-system/gw-b.yaml', gateway('gw-b', portB, 'proxy-b'));
  writeConfig(dir, 'upstreams/gloo-system/one.yaml', yaml.staticUpstream('one', one.port));
  writeConfig(dir, 'upstreams/gloo-system/two.yaml', yaml.staticUpstream('two', two.port));
  writeConfig(dir, 'virtualservices/gloo-system/shop.yaml', vs('one'));
  cp = await startControlPlane(dir);
  [proxyA, proxyB] = await Promise.all([
    startProxy(cp.xdsAddress, 'gloo-system~proxy-a', { nodeId: 'proxy-a-1' }),
    startProxy(cp.xdsAddress, 'gloo-system~proxy-b', { nodeId: 'proxy-b-1' }),
  ]);
});

after(async () => {
  await Promise.all([proxyA?.stop(), proxyB?.stop(), cp?.stop()]);
  await one?.close();
  await two?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('traffic flows through both proxies, each on the port of its own Gateway', async () => {
  await waitFor('proxy A to route', async () => (await answer(portA)) === 'one');
  await waitFor('proxy B to route', async () => (await answer(portB)) === 'one');
});

test('a config change reaches both proxies, and both ACK it', async () => {
  writeConfig(dir, 'virtualservices/gloo-system/shop.yaml', vs('two'));
  await waitFor('proxy A to converge', async () => (await answer(portA)) === 'two');
  await waitFor('proxy B to converge', async () => (await answer(portB)) === 'two');
  await waitFor('both proxies to ACK', () => bothAcked(cp!));
});

test('/api/v1/xds shows both proxies with node id, role, stream type and ACKs', async () => {
  await waitFor('both proxies to ACK', () => bothAcked(cp!));
  const s = await xds(cp!);
  const a = s.connections.find((c) => c.role === 'gloo-system~proxy-a')!;
  const b = s.connections.find((c) => c.role === 'gloo-system~proxy-b')!;
  assert.equal(a.nodeId, 'proxy-a-1');
  assert.equal(b.nodeId, 'proxy-b-1');
  assert.equal(a.streamType, 'sotw');
  for (const t of ['CDS', 'EDS', 'LDS', 'RDS']) assert.equal(a.types[t]!.nacks, 0);
  const metrics = await (await fetch(`${cp!.adminUrl}/metrics`)).text();
  assert.match(metrics, /xds_acks_total\{type="RDS"\} \d+/);
  assert.match(metrics, /xds_connected_proxies 2/);
  // The proxy's own view: its stream, and what it applied.
  const own = (await (await fetch(`${proxyA.adminUrl}/api/v1/xds`)).json()) as { client: { connected: boolean; role: string } };
  assert.equal(own.client.connected, true);
  assert.equal(own.client.role, 'gloo-system~proxy-a');
  const dump = (await (await fetch(`${proxyA.adminUrl}/config_dump`)).json()) as { snapshots: Record<string, { listeners: { name: string }[] }> };
  assert.deepEqual(dump.snapshots['gloo-system~proxy-a']!.listeners.map((l) => l.name), [`listener-127.0.0.1-${portA}`]);
});

test('glooctl proxy served-config prints the snapshot served for a node key', async () => {
  const y = await glooctl(cp!, 'proxy', 'served-config', '--name', 'proxy-a');
  assert.equal(y.code, 0, y.stderr);
  const doc = parseYaml(y.stdout);
  assert.equal(doc.nodeKey, 'gloo-system~proxy-a');
  assert.deepEqual(doc.listeners.map((l: { name: string }) => l.name), [`listener-127.0.0.1-${portA}`]);
  assert.ok(doc.clusters.some((c: { name: string }) => c.name === 'two_gloo-system'));
  const j = await glooctl(cp!, 'proxy', 'served-config', '--name', 'proxy-b', '-n', 'gloo-system', '-o', 'json');
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout).listeners.map((l: { name: string }) => l.name), [`listener-127.0.0.1-${portB}`]);
  const missing = await glooctl(cp!, 'proxy', 'served-config', '--name', 'nope');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no xDS configuration is served for proxy gloo-system\.nope.*served: gloo-system~proxy-a, gloo-system~proxy-b/);
});

test('glooctl get proxy shows the connected proxies and their ACK state', async () => {
  await waitFor('both proxies to ACK', () => bothAcked(cp!));
  const px = await glooctl(cp!, 'get', 'proxy');
  assert.equal(px.code, 0, px.stderr);
  assert.match(px.stdout, /CONNECTED/);
  assert.match(px.stdout, /\| proxy-a +\| gloo-system +\| gloo +\| 127\.0\.0\.1:\d+ .*proxy-a-1: ACKed/);
  assert.match(px.stdout, /\| proxy-b +\| gloo-system +\| gloo +\| 127\.0\.0\.1:\d+ .*proxy-b-1: ACKed/);
});

test('with the control plane killed, both proxies keep serving; restarted, they converge to what changed meanwhile', async () => {
  const xdsPort = cp!.xdsPort;
  const killed = new Promise((resolve) => cp!.proc.once('exit', resolve));
  cp!.proc.kill('SIGKILL');
  await killed;
  cp = undefined;
  await waitFor('proxy A to notice', async () => ((await (await fetch(`${proxyA.adminUrl}/api/v1/xds`)).json()) as { client: { connected: boolean } }).client.connected === false);
  for (let i = 0; i < 5; i++) {
    assert.equal(await answer(portA), 'two');
    assert.equal(await answer(portB), 'two');
  }
  // Changed while nobody serves xDS.
  writeConfig(dir, 'virtualservices/gloo-system/shop.yaml', vs('two', `    - matchers: [{prefix: '/one'}]\n      routeAction: {single: {upstream: {name: one, namespace: gloo-system}}}\n`));
  assert.equal(await answer(portA, '/one'), 'two', 'still the last configuration');
  cp = await startControlPlane(dir, { xdsPort });
  await waitFor('proxy A to converge after the restart', async () => (await answer(portA, '/one')) === 'one');
  await waitFor('proxy B to converge after the restart', async () => (await answer(portB, '/one')) === 'one');
  assert.equal(await answer(portA, '/'), 'two');
  await waitFor('both proxies to ACK the restarted control plane', () => bothAcked(cp!));
  const y = await glooctl(cp, 'proxy', 'served-config', '--name', 'proxy-b', '-o', 'json');
  assert.equal(y.code, 0, y.stderr);
});
