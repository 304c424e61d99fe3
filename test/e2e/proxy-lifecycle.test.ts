/**
 * gateway-proxy end to end: config swaps and listener lifecycle. A request in flight finishes on the
 * config it started with while the next one uses the new config; listeners are removed (drained) and
 * added back; a port already in use is reported through onListenerError while the others serve, and
 * is bound once it frees up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { freePort, holdPort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import type { Listener, XdsSnapshot } from '../../src/xds/envoy-types.js';
import { ProxyHarness } from './proxy-harness.js';

function config(version: string, listeners: Listener[], cluster: string, ups: UpstreamServer[]): XdsSnapshot {
  return snapshot(version, {
    listeners,
    clusters: ups.map((u) => staticCluster(u.name, [{ address: '127.0.0.1', port: u.port }])),
    routes: [routeConfig('rc', [vhost('all', ['*'], [prefixRoute('/', cluster)])])],
  });
}

describe('gateway-proxy config and listener lifecycle (e2e)', () => {
  let h: ProxyHarness;
  let a: UpstreamServer;
  let b: UpstreamServer;
  let p1: number;
  let p2: number;
  let l1: Listener;
  let l2: Listener;

  before(async () => {
    a = await UpstreamServer.start('a');
    b = await UpstreamServer.start('b');
    p1 = await freePort();
    p2 = await freePort();
    l1 = httpListener('listener-1', '127.0.0.1', p1, 'rc');
    l2 = httpListener('listener-2', '127.0.0.1', p2, 'rc');
    h = new ProxyHarness();
  });

  after(async () => {
    await h.close();
    await a.close();
    await b.close();
  });

  it('is not ready before the first snapshot, ready after', async () => {
    assert.equal(h.proxy.ready, false);
    assert.equal(h.proxy.appliedVersion, undefined);
    const versions: string[] = [];
    const off = h.proxy.onApplied((v) => versions.push(v));
    await h.push(config('v1', [l1, l2], 'a', [a]));
    off();
    assert.equal(h.proxy.ready, true);
    assert.equal(h.proxy.appliedVersion, 'v1');
    assert.deepEqual(versions, ['v1']);
  });

  it('finishes an in-flight request on the old config; the next request uses the new one', async () => {
    const arrived = a.nextRequest();
    const slow = h.get(`http://127.0.0.1:${p1}/slow`, { headers: { 'x-upstream-delay-ms': '300' } });
    await arrived;
    // v2 routes to b and drops cluster a altogether: a's pool closes gracefully under the slow request.
    await h.push(config('v2', [l1, l2], 'b', [b]));
    const next = JSON.parse((await h.get(`http://127.0.0.1:${p1}/next`)).text) as EchoResponse;
    assert.equal(next.name, 'b');
    const first = await slow;
    assert.equal(first.status, 200);
    assert.equal((JSON.parse(first.text) as EchoResponse).name, 'a');
  });

  it('keeps a surviving listener socket across updates', async () => {
    const before = h.proxy.listeners.find((l) => l.name === 'listener-1');
    await h.push(config('v3', [l1, l2], 'b', [b]));
    const after = h.proxy.listeners.find((l) => l.name === 'listener-1');
    assert.ok(before?.bound && after?.bound);
    assert.equal(after.boundPort, before.boundPort);
  });

  it('stops a removed listener after its in-flight request and binds it again when re-added', async () => {
    const arrived = b.nextRequest();
    const inFlight = h.get(`http://127.0.0.1:${p2}/draining`, { headers: { 'x-upstream-delay-ms': '300' } });
    await arrived;
    await h.push(config('v4', [l1], 'b', [b]));
    assert.equal((await inFlight).status, 200);
    await assert.rejects(request(`http://127.0.0.1:${p2}/gone`), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
    assert.equal((await h.get(`http://127.0.0.1:${p1}/still`)).status, 200);

    await h.push(config('v5', [l1, l2], 'b', [b]));
    assert.equal((await h.get(`http://127.0.0.1:${p2}/back`)).status, 200);
  });

  it('reports a port already in use, serves the other listeners, and binds it once the port is free', async () => {
    const holder = await holdPort('127.0.0.1');
    const busy = (holder.address() as { port: number }).port;
    const l3 = httpListener('listener-busy', '127.0.0.1', busy, 'rc');
    await h.push(config('v6', [l1, l3], 'b', [b]));
    assert.equal(h.proxy.ready, true);
    assert.equal(h.listenerErrors.length, 1);
    const e = h.listenerErrors[0]!;
    assert.deepEqual([e.name, e.address, e.port], ['listener-busy', '127.0.0.1', busy]);
    assert.equal((e.err as NodeJS.ErrnoException).code, 'EADDRINUSE');
    const logged = h.logs.find((l) => l.level === 'error' && l.fields?.['listener'] === 'listener-busy');
    assert.ok(logged);
    assert.equal(logged.fields?.['port'], busy);
    assert.equal((await h.get(`http://127.0.0.1:${p1}/ok`)).status, 200);

    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await h.push(config('v7', [l1, l3], 'b', [b]));
    assert.equal(h.listenerErrors.length, 1);
    assert.equal((await h.get(`http://127.0.0.1:${busy}/now-bound`)).status, 200);
  });

  it('applies a burst of snapshots ending on the newest', async () => {
    const served: string[] = [];
    const off = h.proxy.onApplied((v) => served.push(v));
    const last = h.proxy.whenApplied('v10');
    h.cache.set('gloo-system~gateway-proxy', config('v8', [l1], 'a', [a]));
    h.cache.set('gloo-system~gateway-proxy', config('v9', [l1], 'b', [b]));
    h.cache.set('gloo-system~gateway-proxy', config('v10', [l1], 'a', [a]));
    await last;
    off();
    assert.equal(served.at(-1), 'v10');
    assert.equal((JSON.parse((await h.get(`http://127.0.0.1:${p1}/`)).text) as EchoResponse).name, 'a');
  });
});
