/**
 * The gRPC ADS client against the real ADS server (and, for bad responses, a hand-written server on
 * the same definition): complete snapshots only, ACK after the data plane applied, NACK with
 * error_detail for what cannot be decoded, reconnection with the last snapshot kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { SnapshotCache } from '../../../src/xds/cache.js';
import { AdsServer } from '../../../src/xds/server/ads-server.js';
import { AdsClient } from '../../../src/xds/client/ads-client.js';
import { adsDefinition, type DiscoveryRequest, type SotwCall } from '../../../src/xds/server/discovery-protocol.js';
import { TYPE_URL, type XdsSnapshot } from '../../../src/xds/envoy-types.js';
import { Backoff } from '../../../src/xds/client/backoff.js';
import { createLogger } from '../../../src/logger.js';
import { waitFor } from '../../helpers/gloo-process.js';
import { testSnapshot } from './ads-test-client.js';

const ROLE = 'gloo-system~gateway-proxy';
const logger = createLogger({ level: 'silent' });

function collect(client: AdsClient): XdsSnapshot[] {
  const got: XdsSnapshot[] = [];
  client.watch((s) => got.push(s));
  return got;
}

test('the client assembles a complete snapshot, hands it over once, and ACKs every type after it is applied', async () => {
  const cache = new SnapshotCache();
  cache.set(ROLE, testSnapshot({ version: 'v1', clusters: ['c1', 'c2'], routes: ['r1', 'r2'] }));
  const ads = await AdsServer.start({ cache, logger }, '127.0.0.1:0');
  const client = new AdsClient({ address: `127.0.0.1:${ads.port}`, role: ROLE, nodeId: 'n1', logger });
  let confirm!: () => void;
  client.confirmApplied = () => new Promise<void>((resolve) => (confirm = resolve));
  try {
    const got = collect(client);
    await waitFor('a snapshot', () => got.length === 1);
    const s = got[0]!;
    assert.deepEqual(s.clusters.map((c) => c.name), ['c1', 'c2']);
    assert.deepEqual(s.endpoints.map((e) => e.cluster_name), ['c1', 'c2']);
    assert.deepEqual(s.listeners.map((l) => l.name), ['listener-r1', 'listener-r2']);
    assert.deepEqual(s.routes.map((r) => r.name), ['r1', 'r2']);
    assert.equal(s.endpoints[0]!.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address?.port_value, 8080);
    // Not applied yet: CDS and LDS (which completed nothing alone) may be ACKed, but not all four.
    const conn = () => ads.status().connections[0]!;
    assert.equal(conn().role, ROLE);
    assert.equal(conn().userAgent, 'gloo-ts/0.1.0');
    confirm();
    await waitFor('four ACKs', () => ['CDS', 'EDS', 'LDS', 'RDS'].every((t) => conn().types[t]?.lastAckedVersion === conn().types[t]?.lastSentVersion));
    assert.deepEqual(client.status().types['EDS']!.subscribed, ['c1', 'c2']);
    assert.deepEqual(client.status().types['RDS']!.subscribed, ['r1', 'r2']);

    // A change of endpoints only: one new snapshot with the new port.
    cache.set(ROLE, testSnapshot({ version: 'v2', clusters: ['c1', 'c2'], routes: ['r1', 'r2'], port: 9999 }));
    await waitFor('the second snapshot', () => got.length === 2);
    assert.equal(got[1]!.endpoints[0]!.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address?.port_value, 9999);
    confirm();
    // A new cluster and route: the client subscribes to their names and waits for them.
    cache.set(ROLE, testSnapshot({ version: 'v3', clusters: ['c1', 'c2', 'c3'], routes: ['r1', 'r2', 'r3'] }));
    await waitFor('the third snapshot', () => got.length === 3);
    assert.deepEqual(got[2]!.endpoints.map((e) => e.cluster_name), ['c1', 'c2', 'c3']);
    assert.deepEqual(got[2]!.routes.map((r) => r.name), ['r1', 'r2', 'r3']);
    confirm();
    await waitFor('ACKs of v3', () => ['CDS', 'EDS', 'LDS', 'RDS'].every((t) => conn().types[t]?.lastAckedVersion === conn().types[t]?.lastSentVersion));
    assert.equal(got.length, 3, 'no intermediate (incomplete) snapshot was handed over');
  } finally {
    client.close();
    await ads.close();
  }
});

test('a cluster whose endpoints never come is applied after the bounded wait', async () => {
  const cache = new SnapshotCache();
  const snap = testSnapshot({ version: 'v1', clusters: ['c1', 'orphan'] });
  cache.set(ROLE, { ...snap, endpoints: snap.endpoints.filter((e) => e.cluster_name !== 'orphan') });
  const ads = await AdsServer.start({ cache, logger }, '127.0.0.1:0');
  const client = new AdsClient({ address: `127.0.0.1:${ads.port}`, role: ROLE, logger, completenessTimeoutMs: 200 });
  try {
    const got = collect(client);
    await waitFor('the incomplete snapshot', () => got.length === 1);
    assert.deepEqual(got[0]!.clusters.map((c) => c.name), ['c1', 'orphan']);
    assert.deepEqual(got[0]!.endpoints.map((e) => e.cluster_name), ['c1']);
  } finally {
    client.close();
    await ads.close();
  }
});

test('the client keeps its snapshot while the control plane is down, reconnects and converges', async () => {
  const cache = new SnapshotCache();
  cache.set(ROLE, testSnapshot({ version: 'v1' }));
  const ads = await AdsServer.start({ cache, logger }, '127.0.0.1:0');
  const port = ads.port;
  const client = new AdsClient({ address: `127.0.0.1:${port}`, role: ROLE, logger, backoff: { initialMs: 20, maxMs: 200 } });
  let ads2: AdsServer | undefined;
  try {
    const got = collect(client);
    await waitFor('a snapshot', () => got.length === 1);
    await ads.close();
    await waitFor('the client to notice', () => client.status().connected === false);
    // Same content from a restarted control plane: no new hand-over; new content: handed over.
    const cache2 = new SnapshotCache();
    cache2.set(ROLE, testSnapshot({ version: 'v2', routes: ['r1', 'r9'] }));
    ads2 = await AdsServer.start({ cache: cache2, logger }, `127.0.0.1:${port}`);
    await waitFor('the new snapshot after reconnecting', () => got.length === 2);
    assert.deepEqual(got[1]!.routes.map((r) => r.name), ['r1', 'r9']);
    assert.equal(client.status().connected, true);
  } finally {
    client.close();
    await ads2?.close();
  }
});

test('a resource that cannot be decoded is NACKed with code 3 and the reason; nothing is handed over', async () => {
  const server = new grpc.Server();
  const requests: DiscoveryRequest[] = [];
  server.addService(adsDefinition().service, {
    StreamAggregatedResources: (call: SotwCall) => {
      call.on('data', (req: DiscoveryRequest) => {
        requests.push(req);
        if (req.type_url === TYPE_URL.cluster && req.response_nonce === '')
          call.write({ version_info: 'bad-1', type_url: TYPE_URL.cluster, nonce: 'n1', resources: [{ type_url: TYPE_URL.cluster, value: Buffer.from([0xff, 0xff, 0xff]) }] });
      });
      call.on('end', () => call.end());
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const client = new AdsClient({ address: `127.0.0.1:${port}`, role: ROLE, logger });
  try {
    const got = collect(client);
    const nack = await waitFor('the NACK', () => requests.find((r) => r.response_nonce === 'n1'));
    assert.equal(nack.error_detail?.code, 3);
    assert.match(nack.error_detail?.message ?? '', /xDS response validation errors/);
    assert.equal(nack.version_info, '', 'the NACK carries the last accepted version (none yet)');
    assert.equal(requests[0]!.node?.id !== undefined && requests[0]!.node?.cluster, 'gateway');
    assert.equal(got.length, 0);
  } finally {
    client.close();
    server.forceShutdown();
  }
});

test('back-off grows exponentially with jitter and is capped', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 1);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  const low = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
  assert.deepEqual([low.next(), low.next()], [50, 100]);
  b.reset();
  assert.equal(b.next(), 100);
});
