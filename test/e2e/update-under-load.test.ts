/**
 * Config updates under load: `gloo run` (one process, then `--workers 2`; and `gloo control-plane` with
 * `gloo proxy --workers 2`) in front of a real upstream
 * while a load generator (an undici Pool of 16 connections, a bounded number of requests) hits a
 * route and the test rewrites the VirtualService again and again (a new marker route each time; the
 * load's route kept) and adds/removes a second Gateway on another port. Every request of the load
 * must answer 200, and the final configuration must be served (by every worker).
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Pool, request } from 'undici';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { getFreePorts, makeConfigDir, startControlPlane, startGloo, startProxy, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

/** Requests the load generator sends in each case (bounded). */
const MAX_REQUESTS = 4000;
const CONNECTIONS = 16;
/** VirtualService rewrites per case, each waited for until it is served. */
const REWRITES = 12;

let upstream: UpstreamServer;
const dirs: string[] = [];

before(async () => {
  upstream = await UpstreamServer.start('one');
});

after(async () => {
  await upstream?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const route = (prefix: string) =>
  `    - matchers: [{prefix: '${prefix}'}]\n      routeAction: {single: {upstream: {name: one, namespace: gloo-system}}}\n`;

/** Version `i`: a marker route only this version has, the load's route, and (odd versions) a prefix rewrite. */
const vs = (i: number) => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: shop, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
${route(`/marker-${i}`)}${
  i % 2
    ? `    - matchers: [{prefix: '/load/'}]\n      options: {prefixRewrite: '/rewritten/'}\n      routeAction: {single: {upstream: {name: one, namespace: gloo-system}}}\n`
    : route('/load/')
}`;

/** Status of `GET path` on a fresh connection (so that, with workers, connections spread over them). */
async function statusOn(port: number, p: string): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}${p}`, { reset: true });
  await res.body.dump();
  return res.statusCode;
}

/** True when `tries` fresh connections all answer `expected` for `p`. */
async function everyoneAnswers(port: number, p: string, expected: number, tries = 8): Promise<boolean> {
  const statuses = await Promise.all(Array.from({ length: tries }, () => statusOn(port, p).catch(() => -1)));
  return statuses.every((s) => s === expected);
}

interface LoadResult {
  sent: number;
  failures: string[];
}

/** Sends GET /load/<n> over `CONNECTIONS` keep-alive connections until `stop()` or MAX_REQUESTS. */
function startLoad(port: number): { started: Promise<void>; stop(): void; done: Promise<LoadResult> } {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
  let sent = 0;
  let stopped = false;
  const failures: string[] = [];
  let markStarted: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const loop = async () => {
    while (!stopped && sent < MAX_REQUESTS) {
      const n = sent++;
      if (n === 100) markStarted();
      try {
        // Some requests stay in flight for a while, across config swaps.
        const res = await pool.request({ method: 'GET', path: `/load/${n}`, headers: n % 4 === 0 ? { 'x-upstream-delay-ms': '20' } : {} });
        const text = await res.body.text();
        if (res.statusCode !== 200) failures.push(`request ${n}: ${res.statusCode} ${text.slice(0, 200)}`);
      } catch (err) {
        failures.push(`request ${n}: ${(err as Error).message}`);
      }
    }
    markStarted();
  };
  const done = Promise.all(Array.from({ length: CONNECTIONS }, loop)).then(async () => {
    await pool.close();
    return { sent, failures };
  });
  return { started, stop: () => (stopped = true), done };
}

/** The gateway under test: its admin URL (the data plane's counters) and how to stop it. */
type Start = (dir: string, adminPort: number) => Promise<{ adminUrl: string; output(): string; stop(): Promise<void> }>;

const glooRun =
  (extraArgs: string[]): Start =>
  (dir, adminPort) =>
    startGloo(dir, extraArgs, adminPort);

/** `gloo control-plane` + `gloo proxy --workers 2`. */
const splitWithProxyWorkers: Start = async (dir) => {
  const cp = await startControlPlane(dir);
  let proxy: GlooProcess;
  try {
    proxy = await startProxy(cp.xdsAddress, 'gloo-system~gateway-proxy', { extraArgs: ['--workers', '2'] });
  } catch (err) {
    await cp.stop();
    throw err;
  }
  return {
    adminUrl: proxy.adminUrl,
    output: () => `${cp.output()}\n${proxy.output()}`,
    stop: async () => {
      await proxy.stop();
      await cp.stop();
    },
  };
};

async function updateUnderLoad(t: TestContext, start: Start): Promise<void> {
  const dir = makeConfigDir('gloo-load-');
  dirs.push(dir);
  const [port, extraPort, adminPort] = (await getFreePorts(3)) as [number, number, number];
  writeConfig(dir, 'gateways/gloo-system/main.yaml', yaml.gateway('main', port));
  writeConfig(dir, 'upstreams/gloo-system/one.yaml', yaml.staticUpstream('one', upstream.port));
  writeConfig(dir, 'virtualservices/gloo-system/shop.yaml', vs(0));
  const gloo = await start(dir, adminPort);
  try {
    await waitFor('the first config to be served', () => everyoneAnswers(port, '/marker-0', 200));
    const load = startLoad(port);
    await load.started;
    for (let i = 1; i <= REWRITES; i++) {
      writeConfig(dir, 'virtualservices/gloo-system/shop.yaml', vs(i));
      // An unrelated listener comes and goes.
      const extra = path.join(dir, 'gateways/gloo-system/extra.yaml');
      if (i % 2) writeConfig(dir, 'gateways/gloo-system/extra.yaml', yaml.gateway('extra', extraPort));
      else fs.rmSync(extra, { force: true });
      await waitFor(`version ${i} to be served`, async () => (await statusOn(port, `/marker-${i}`)) === 200);
    }
    load.stop();
    const { sent, failures } = await load.done;
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${sent} requests failed:\n${gloo.output().slice(-3000)}`);
    assert.ok(sent > 100, `the load ran (${sent} requests)`);
    t.diagnostic(`${sent} requests over ${CONNECTIONS} connections during ${REWRITES} rewrites, ${failures.length} failed`);

    // The final configuration, everywhere: the last marker, not the one before, on both listeners.
    await waitFor('every worker to serve the final config', async () =>
      (await everyoneAnswers(port, `/marker-${REWRITES}`, 200)) && (await everyoneAnswers(port, `/marker-${REWRITES - 1}`, 404)),
    );
    if (REWRITES % 2) await waitFor('the extra listener to serve', () => everyoneAnswers(extraPort, `/marker-${REWRITES}`, 200));
    else await waitFor('the extra listener to be gone', async () => (await statusOn(extraPort, '/').catch(() => -1)) === -1);
    assert.equal(await statusOn(port, '/load/final'), 200);
    const stats = await (await fetch(`${gloo.adminUrl}/stats`)).text();
    const total = Number(/http\.downstream_rq_total: (\d+)/.exec(stats)?.[1]);
    assert.ok(total >= sent, `/stats counts every request (${total} >= ${sent})`);
  } finally {
    await gloo.stop();
  }
}

test('config updates under load: zero failed requests (one process)', { timeout: 120_000 }, (t) => updateUnderLoad(t, glooRun([])));

test('config updates under load: zero failed requests (--workers 2)', { timeout: 120_000 }, (t) => updateUnderLoad(t, glooRun(['--workers', '2'])));

test('config updates under load: zero failed requests (gloo control-plane + gloo proxy --workers 2)', { timeout: 120_000 }, (t) =>
  updateUnderLoad(t, splitWithProxyWorkers),
);
