/**
 * The ADS server over a real gRPC socket, driven by a hand-written client: the protocol rules of
 * ../shared/spec/xds.md (initial requests, ACK, NACK, stale nonces, wildcard and named
 * subscriptions, CDS→EDS and LDS→RDS ordering, unknown roles, delta).
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../../src/xds/cache.js';
import { AdsServer } from '../../../src/xds/server/ads-server.js';
import { TYPE_URL } from '../../../src/xds/envoy-types.js';
import { decodeResource } from '../../../src/xds/protos.js';
import { createLogger } from '../../../src/logger.js';
import { waitFor } from '../../helpers/gloo-process.js';
import { delta, node, sotw, testSnapshot, type DeltaReq, type SotwReq, type SotwRes, type StreamClient } from './ads-test-client.js';

const ROLE = 'gloo-system~gateway-proxy';
const { cluster: CDS, clusterLoadAssignment: EDS, listener: LDS, routeConfiguration: RDS } = TYPE_URL;

let cache: SnapshotCache;
let ads: AdsServer;
let logLines: string[];
const clients: StreamClient<any, any>[] = [];

beforeEach(async () => {
  cache = new SnapshotCache();
  logLines = [];
  ads = await AdsServer.start({ cache, logger: createLogger({ level: 'debug', write: (l) => logLines.push(l) }) }, '127.0.0.1:0');
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await ads.close();
});

function open(): StreamClient<SotwReq, SotwRes> {
  const c = sotw(ads.port);
  clients.push(c);
  return c;
}

const names = (res: SotwRes) =>
  res.resources.map((a) => {
    const r = decodeResource<any>(a.type_url, a.value);
    return r.name ?? r.cluster_name;
  });

function req(type_url: string, fields: Partial<SotwReq> = {}): Partial<SotwReq> {
  return { version_info: '', resource_names: [], type_url, response_nonce: '', error_detail: null, ...fields };
}

const conn = () => ads.status().connections[0]!;

test('initial request: the proxy gets its role\'s resources, with a version and a nonce', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'] }));
  const c = open();
  c.send(req(CDS, { node: node(ROLE) }));
  const res = await c.next();
  assert.equal(res.type_url, CDS);
  assert.deepEqual(names(res), ['c1', 'c2']);
  assert.ok(res.version_info);
  assert.ok(res.nonce);
  assert.equal(res.resources[0]!.type_url, CDS);
  const st = conn();
  assert.equal(st.role, ROLE);
  assert.equal(st.nodeId, 'test-node');
  assert.equal(st.userAgent, 'ads-test/1');
  assert.equal(st.streamType, 'sotw');
  assert.equal(st.knownRole, true);
  assert.equal(st.types['CDS']!.lastSentVersion, res.version_info);
});

test('ACK: the latest nonce without error_detail is counted once, with the version sent', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1' }));
  const c = open();
  c.send(req(CDS, { node: node(ROLE) }));
  const res = await c.next();
  c.send(req(CDS, { version_info: res.version_info, response_nonce: res.nonce }));
  await waitFor('the ACK', () => conn().types['CDS']!.acks === 1);
  assert.equal(conn().types['CDS']!.lastAckedVersion, res.version_info);
  // The unsubscribe a client sends when closing repeats the nonce: not another ACK.
  c.send(req(CDS, { version_info: res.version_info, response_nonce: res.nonce, resource_names: ['x'] }));
  c.send(req(LDS));
  await c.next();
  assert.equal(conn().types['CDS']!.acks, 1);
  assert.match(ads.metrics().join('\n'), /xds_acks_total\{type="CDS"\} 1/);
  assert.match(ads.metrics().join('\n'), /xds_connected_proxies 1/);
});

test('NACK: error_detail is kept, logged, counted, and the rejected version is not re-sent until the content changes', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1' }));
  const c = open();
  c.send(req(CDS, { node: node(ROLE) }));
  const first = await c.next();
  c.send(req(CDS, { version_info: first.version_info, response_nonce: first.nonce }));
  await waitFor('the ACK', () => conn().types['CDS']!.acks === 1);
  cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'bad'] }));
  const bad = await c.next();
  assert.deepEqual(names(bad), ['c1', 'bad']);
  // A NACK carries the previously accepted version: the NACK is known from error_detail alone.
  c.send(req(CDS, { version_info: first.version_info, response_nonce: bad.nonce, error_detail: { code: 3, message: 'cluster bad: unsupported' } }));
  await waitFor('the NACK', () => conn().types['CDS']!.nacks === 1);
  const t = conn().types['CDS']!;
  assert.equal(t.lastNack?.message, 'cluster bad: unsupported');
  assert.equal(t.lastNack?.version, bad.version_info);
  assert.equal(t.lastNack?.nonce, bad.nonce);
  assert.equal(t.lastNack?.code, 3);
  assert.equal(t.lastAckedVersion, first.version_info);
  assert.ok(logLines.some((l) => l.includes('NACK') && l.includes('cluster bad: unsupported')));
  assert.match(ads.metrics().join('\n'), /xds_nacks_total\{type="CDS"\} 1/);

  // The same content again (a new snapshot object): not re-sent.
  cache.set(ROLE, testSnapshot({ version: 'v2-again', clusters: ['c1', 'bad'] }));
  c.send(req(LDS));
  assert.equal((await c.next()).type_url, LDS);
  // New content: sent.
  cache.set(ROLE, testSnapshot({ version: 'v3', clusters: ['c1', 'good'] }));
  const fixed = await c.next();
  assert.equal(fixed.type_url, CDS);
  assert.deepEqual(names(fixed), ['c1', 'good']);
});

test('a request with an older nonce is stale: ignored, not answered; the ACK then carries the new names', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'] }));
  const c = open();
  c.send(req(EDS, { node: node(ROLE), resource_names: ['c1'] }));
  const e1 = await c.next();
  assert.deepEqual(names(e1), ['c1']);
  cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'c2'], port: 9090 }));
  const e2 = await c.next();
  assert.equal(e2.type_url, EDS);
  // The client had not read e2 when it asked for c2: stale.
  c.send(req(EDS, { version_info: e1.version_info, response_nonce: e1.nonce, resource_names: ['c1', 'c2'] }));
  c.send(req(LDS));
  assert.equal((await c.next()).type_url, LDS, 'the stale request was not answered');
  assert.equal(conn().types['EDS']!.acks, 0);
  // Its ACK of e2 repeats the names: answered with both.
  c.send(req(EDS, { version_info: e2.version_info, response_nonce: e2.nonce, resource_names: ['c1', 'c2'] }));
  const e3 = await c.next();
  assert.equal(e3.type_url, EDS);
  assert.deepEqual(names(e3), ['c1', 'c2']);
  assert.equal(conn().types['EDS']!.acks, 1);
});

test('wildcard for LDS/CDS with no names; RDS/EDS only what is named (or `*`)', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'], routes: ['r1', 'r2'] }));
  const c = open();
  c.send(req(LDS, { node: node(ROLE) }));
  assert.deepEqual(names(await c.next()), ['listener-r1', 'listener-r2']);
  c.send(req(RDS));
  assert.deepEqual(names(await c.next()), []);
  const d = open();
  d.send(req(RDS, { node: node(ROLE, 'other'), resource_names: ['r2'] }));
  assert.deepEqual(names(await d.next()), ['r2']);
  d.send(req(EDS, { resource_names: ['*'] }));
  assert.deepEqual(names(await d.next()), ['c1', 'c2']);
});

test('a new snapshot is sent CDS, EDS, LDS, RDS in that order; unchanged types are not re-sent', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1' }));
  const c = open();
  // Subscribed in the "wrong" order on purpose.
  c.send(req(RDS, { node: node(ROLE), resource_names: ['r1'] }));
  c.send(req(LDS));
  c.send(req(EDS, { resource_names: ['c1'] }));
  c.send(req(CDS));
  const initial: SotwRes[] = [];
  for (let i = 0; i < 4; i++) initial.push(await c.next());
  for (const r of initial) c.send(req(r.type_url, { version_info: r.version_info, response_nonce: r.nonce, resource_names: r.type_url === RDS ? ['r1'] : r.type_url === EDS ? ['c1'] : [] }));
  await waitFor('4 ACKs', () => Object.values(conn().types).every((t) => t.acks === 1));
  cache.set(ROLE, testSnapshot({ version: 'v2', port: 1, listenerPort: 19000 }));
  // Endpoints and listeners changed; clusters and routes did not.
  cache.set(ROLE, testSnapshot({ version: 'v3', clusters: ['c1'], port: 2, listenerPort: 19000 }));
  const order: string[] = [];
  for (let i = 0; i < 3; i++) order.push((await c.next()).type_url);
  assert.deepEqual(order, [EDS, LDS, EDS]);
  // Everything changes: strict order.
  cache.set(ROLE, {
    ...testSnapshot({ version: 'v4', clusters: ['c1'], port: 3, listenerPort: 19100 }),
    clusters: testSnapshot({ version: 'x', clusters: ['c1'] }).clusters.map((c) => ({ ...c, connect_timeout: { seconds: '7' } })),
    routes: testSnapshot({ version: 'x' }).routes.map((r) => ({ ...r, virtual_hosts: [{ ...r.virtual_hosts[0]!, domains: ['a.example.com'] }] })),
  });
  const all: string[] = [];
  for (let i = 0; i < 4; i++) all.push((await c.next()).type_url);
  assert.deepEqual(all, [CDS, EDS, LDS, RDS]);
});

test('an unknown role gets the fallback (empty) snapshot and one warning per stream, then its snapshot when it appears', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1' }));
  const c = open();
  c.send(req(CDS, { node: node('nowhere~nobody') }));
  assert.deepEqual(names(await c.next()), []);
  c.send(req(LDS));
  assert.deepEqual(names(await c.next()), []);
  assert.equal(logLines.filter((l) => l.includes('unknown role')).length, 1);
  assert.equal(conn().knownRole, false);
  cache.set('nowhere~nobody', testSnapshot({ version: 'v9', clusters: ['late'] }));
  const res = await c.next();
  assert.equal(res.type_url, CDS);
  assert.deepEqual(names(res), ['late']);
  assert.equal(conn().knownRole, true);
});

test('a closed stream is removed from the connected proxies', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1' }));
  const c = open();
  c.send(req(CDS, { node: node(ROLE) }));
  await c.next();
  assert.equal(ads.status().connections.length, 1);
  c.close();
  await waitFor('the stream to close', () => ads.status().connections.length === 0);
});

// ---- delta ---------------------------------------------------------------------------------------

function dreq(type_url: string, fields: Partial<DeltaReq> = {}): Partial<DeltaReq> {
  return { type_url, resource_names_subscribe: [], resource_names_unsubscribe: [], initial_resource_versions: {}, response_nonce: '', error_detail: null, ...fields };
}

test('delta: wildcard subscription, per-resource versions, only changes sent, removed_resources', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'] }));
  const c = delta(ads.port);
  clients.push(c);
  c.send(dreq(CDS, { node: node(ROLE) }));
  const r1 = await c.next();
  assert.deepEqual(r1.resources.map((r) => r.name).sort(), ['c1', 'c2']);
  assert.ok(r1.resources.every((r) => r.version && r.resource.type_url === CDS));
  assert.equal(r1.system_version_info, 'v1');
  c.send(dreq(CDS, { response_nonce: r1.nonce }));
  await waitFor('the delta ACK', () => conn().types['CDS']?.acks === 1);
  assert.equal(conn().streamType, 'delta');
  // c2 goes, c3 comes, c1 is unchanged.
  cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'c3'] }));
  const r2 = await c.next();
  assert.deepEqual(r2.resources.map((r) => r.name), ['c3']);
  assert.deepEqual(r2.removed_resources, ['c2']);
});

test('delta: subscribe and unsubscribe named resources', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'] }));
  const c = delta(ads.port);
  clients.push(c);
  c.send(dreq(EDS, { node: node(ROLE), resource_names_subscribe: ['c1'] }));
  const r1 = await c.next();
  assert.deepEqual(r1.resources.map((r) => r.name), ['c1']);
  c.send(dreq(EDS, { response_nonce: r1.nonce, resource_names_subscribe: ['c2'] }));
  const r2 = await c.next();
  assert.deepEqual(r2.resources.map((r) => r.name), ['c2']);
  c.send(dreq(EDS, { response_nonce: r2.nonce, resource_names_unsubscribe: ['c1'] }));
  await waitFor('the ACKs', () => conn().types['EDS']?.acks === 2);
  // c1 changes but is no longer subscribed; c2 changes too.
  cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'c2'], port: 1 }));
  const r3 = await c.next();
  assert.deepEqual(r3.resources.map((r) => r.name), ['c2']);
});

test('delta: initial_resource_versions on reconnect — only what differs is sent, and what is gone is removed', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'] }));
  const first = delta(ads.port);
  clients.push(first);
  first.send(dreq(CDS, { node: node(ROLE) }));
  const held = Object.fromEntries((await first.next()).resources.map((r) => [r.name, r.version]));
  first.close();
  cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'c3'] }));
  const c = delta(ads.port);
  clients.push(c);
  c.send(dreq(CDS, { node: node(ROLE), initial_resource_versions: held }));
  const r = await c.next();
  assert.deepEqual(r.resources.map((x) => x.name), ['c3']);
  assert.deepEqual(r.removed_resources, ['c2']);
});

test('delta: after a NACK the rejected resources are not re-sent until a new snapshot', async () => {
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1'] }));
  const c = delta(ads.port);
  clients.push(c);
  c.send(dreq(CDS, { node: node(ROLE) }));
  const r1 = await c.next();
  c.send(dreq(CDS, { response_nonce: r1.nonce }));
  await waitFor('the ACK', () => conn().types['CDS']?.acks === 1);
  cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'bad'] }));
  const r2 = await c.next();
  assert.deepEqual(r2.resources.map((x) => x.name), ['bad']);
  c.send(dreq(CDS, { response_nonce: r2.nonce, error_detail: { code: 3, message: 'bad cluster' } }));
  await waitFor('the delta NACK', () => conn().types['CDS']?.nacks === 1);
  assert.equal(conn().types['CDS']!.lastNack?.message, 'bad cluster');
  assert.equal(conn().types['CDS']!.lastNack?.version, 'v2');
  // A request that changes nothing else: no re-send of `bad`.
  c.send(dreq(LDS));
  assert.equal((await c.next()).type_url, LDS);
  // A new snapshot: the client still lacks `bad` (and gets the new one).
  cache.set(ROLE, testSnapshot({ version: 'v3', clusters: ['c1', 'bad', 'c4'] }));
  const r3 = await c.next();
  assert.equal(r3.type_url, CDS);
  assert.deepEqual(r3.resources.map((x) => x.name).sort(), ['bad', 'c4']);
});
