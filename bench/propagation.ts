/**
 * Config propagation over xDS (`node dist/bench/propagation.js [N] [routes]`): an in-process control
 * plane (directory source + pipeline + cache + ADS server, as `gloo control-plane` wires it) and a
 * `gloo proxy` process on loopback. N times, a VirtualService file is rewritten with a new route
 * and we measure
 *   - write → route answering: from the file write until the new route answers 200 through the
 *     proxy (polled every millisecond);
 *   - cache.set → ACK: from the new snapshot entering the xDS cache until the proxy has ACKed
 *     every type sent for it (it ACKs after its data plane applied the snapshot);
 *   - write → cache.set: the directory watcher and translation.
 * DESIGN §8's target: a change reaches a connected proxy in under 100 ms.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { createLogger } from '../src/logger.js';
import { SnapshotCache } from '../src/xds/cache.js';
import { DirectoryConfigSource } from '../src/config/directory/directory-source.js';
import { ControlPlane } from '../src/pipeline/control-plane.js';
import { AdsServer } from '../src/xds/server/ads-server.js';

const N = Number(process.argv[2] ?? 30);
const FILLER_ROUTES = Number(process.argv[3] ?? 50);
const GLOO_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/gloo.js');
const ROLE = 'gloo-system~gateway-proxy';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function write(dir: string, rel: string, text: string): void {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function virtualService(i: number, upstream: string): string {
  const routes = [`    - matchers: [{prefix: '/v${i}'}]\n      routeAction: {single: {upstream: {name: ${upstream}, namespace: gloo-system}}}\n`];
  for (let r = 0; r < FILLER_ROUTES; r++)
    routes.push(`    - matchers: [{exact: '/filler-${r}', headers: [{name: x-tenant, value: t${r}}]}]\n      routeAction: {single: {upstream: {name: ${upstream}, namespace: gloo-system}}}\n`);
  return `apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: bench, namespace: gloo-system}\nspec:\n  virtualHost:\n    domains: ['*']\n    routes:\n${routes.join('')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(1)} ms  p90 ${q(0.9).toFixed(1)} ms  min ${s[0]!.toFixed(1)}  max ${s[s.length - 1]!.toFixed(1)}`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gloo-bench-propagation-'));
  const upstream = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as net.AddressInfo).port;
  const listenerPort = await freePort();
  const adminPort = await freePort();
  write(dir, 'gateways/gloo-system/gw.yaml', `apiVersion: gateway.solo.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: gloo-system}\nspec:\n  bindAddress: 127.0.0.1\n  bindPort: ${listenerPort}\n  httpGateway: {}\n`);
  write(dir, 'upstreams/gloo-system/echo.yaml', `apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: echo, namespace: gloo-system}\nspec:\n  static:\n    hosts: [{addr: 127.0.0.1, port: ${upstreamPort}}]\n`);
  write(dir, 'virtualservices/gloo-system/bench.yaml', virtualService(0, 'echo'));

  const logger = createLogger({ level: 'warn' });
  const cache = new SnapshotCache();
  let lastSet = 0;
  const set = cache.set.bind(cache);
  cache.set = (key, snapshot) => {
    if (key === ROLE) lastSet = performance.now();
    set(key, snapshot);
  };
  const source = new DirectoryConfigSource({ dir, logger });
  const controlPlane = new ControlPlane({ source, cache, writeNamespace: 'gloo-system', logger });
  const ads = await AdsServer.start({ cache, logger }, '127.0.0.1:0');
  await controlPlane.start();
  const proxy = spawn(process.execPath, [GLOO_BIN, 'proxy', '--xds-address', ads.address, '--role', ROLE, '--admin-port', String(adminPort), '--log-level', 'warn'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // The proxy has ACKed everything sent to it since `since`.
  let ackedAt = 0;
  ads.onAck(() => {
    const conn = ads.status().connections.find((c) => c.role === ROLE);
    if (!conn) return;
    const types = Object.values(conn.types);
    if (types.length > 0 && types.every((t) => t.lastAckedVersion === t.lastSentVersion)) ackedAt = performance.now();
  });
  try {
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${adminPort}/ready`).catch(() => undefined);
      if (r?.status === 200) break;
      await sleep(20);
    }
    const writeToRoute: number[] = [];
    const setToAck: number[] = [];
    const writeToSet: number[] = [];
    for (let i = 1; i <= N; i++) {
      const before = lastSet;
      ackedAt = 0;
      const t0 = performance.now();
      write(dir, 'virtualservices/gloo-system/bench.yaml', virtualService(i, 'echo'));
      for (;;) {
        const res = await request(`http://127.0.0.1:${listenerPort}/v${i}`);
        await res.body.dump();
        if (res.statusCode === 200) break;
        await sleep(1);
      }
      writeToRoute.push(performance.now() - t0);
      while (ackedAt === 0 || lastSet === before) await sleep(1);
      setToAck.push(ackedAt - lastSet);
      writeToSet.push(lastSet - t0);
      await sleep(20);
    }
    console.log(`xDS propagation, ${N} changes, VirtualService of ${FILLER_ROUTES + 1} routes, control plane in process, gloo proxy as a process:`);
    console.log(`  file write → new route answers through the proxy: ${stats(writeToRoute)}`);
    console.log(`  cache.set → proxy ACK (applied):                   ${stats(setToAck)}`);
    console.log(`  file write → cache.set (watch + translate):        ${stats(writeToSet)}`);
  } finally {
    proxy.kill('SIGTERM');
    await new Promise((r) => proxy.once('exit', r));
    await controlPlane.stop();
    await ads.close();
    upstream.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
