/** Cluster settings as the cluster manager hands them to the balancers: defaults, validation, endpoint data. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterManager } from '../../../../src/proxy/upstream/cluster-manager.js';
import { lbConfigOf } from '../../../../src/proxy/upstream/lb/lb-config.js';
import { createProxyStats } from '../../../../src/proxy/stats.js';
import { toStruct, type Cluster } from '../../../../src/xds/envoy-types.js';
import { memoryLogger } from '../fakes.js';
import { snapshot } from '../snapshot-builders.js';

describe('load balancer settings', () => {
  it("uses Envoy's defaults", () => {
    const c = lbConfigOf({ name: 'c' });
    assert.equal(c.policy, 'ROUND_ROBIN');
    assert.equal(c.panicThreshold, 50);
    assert.equal(c.overprovisioningFactor, 140);
    assert.equal(c.choiceCount, 2);
    assert.equal(c.activeRequestBias, 1);
    assert.equal(c.minRingSize, 1024);
    assert.equal(c.maxRingSize, 8 * 1024 * 1024);
    assert.equal(c.maglevTableSize, 65537);
    assert.equal(c.slowStart, null);
    assert.equal(c.localityWeighted, false);
  });

  it('reads every setting', () => {
    const c = lbConfigOf(
      {
        name: 'c',
        lb_policy: 'LEAST_REQUEST',
        common_lb_config: { healthy_panic_threshold: { value: 25 }, locality_weighted_lb_config: {}, consistent_hashing_lb_config: { use_hostname_for_hashing: true } },
        least_request_lb_config: {
          choice_count: { value: 5 },
          active_request_bias: { default_value: 2, runtime_key: 'k' },
          slow_start_config: { slow_start_window: { seconds: '30' }, aggression: { default_value: 2, runtime_key: 'k' }, min_weight_percent: { value: 20 } },
        },
      },
      { cluster_name: 'c', endpoints: [], policy: { overprovisioning_factor: { value: 200 } } },
    );
    assert.equal(c.panicThreshold, 25);
    assert.equal(c.localityWeighted, true);
    assert.equal(c.useHostnameForHashing, true);
    assert.equal(c.choiceCount, 5);
    assert.equal(c.activeRequestBias, 2);
    assert.deepEqual(c.slowStart, { windowMs: 30_000, aggression: 2, minWeight: 0.2 });
    assert.equal(c.overprovisioningFactor, 200);
  });

  it('rejects what Envoy rejects', () => {
    assert.throws(() => lbConfigOf({ name: 'c', lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: '4096' }, maximum_ring_size: { value: '1024' } } }), /minimum_ring_size/);
    assert.throws(() => lbConfigOf({ name: 'c', lb_policy: 'RING_HASH', ring_hash_lb_config: { maximum_ring_size: { value: String(16 * 1024 * 1024) } } }), /maximum_ring_size/);
    assert.throws(() => lbConfigOf({ name: 'c', least_request_lb_config: { choice_count: { value: 1 } } }), /choice_count/);
    assert.throws(() => lbConfigOf({ name: 'c', lb_policy: 'MAGLEV', maglev_lb_config: { table_size: { value: 1000 } } }), /prime/);
    assert.equal(lbConfigOf({ name: 'c', lb_policy: 'MAGLEV', maglev_lb_config: { table_size: { value: 5 } } }).maglevTableSize, 5);
  });
});

describe('cluster manager → balancers', () => {
  it('gives hosts their locality, locality weight and metadata, and balances by priority and weight', async () => {
    const cm = new ClusterManager(createProxyStats(), memoryLogger());
    const c: Cluster = {
      name: 'c',
      type: 'STATIC',
      lb_policy: 'ROUND_ROBIN',
      load_assignment: {
        cluster_name: 'c',
        endpoints: [
          {
            locality: { region: 'eu', zone: 'a' },
            load_balancing_weight: { value: 3 },
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 1001 } } }, load_balancing_weight: { value: 2 }, metadata: { filter_metadata: { 'envoy.lb': toStruct({ version: 'v1' }) } } },
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 1002 } } } },
            ],
          },
          { priority: 1, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 1003 } } } }] },
        ],
      },
    };
    const b = cm.build(snapshot('1', { clusters: [c] }));
    b.commit();
    const cluster = b.set.get('c')!;
    const [h1, h2, h3] = cluster.hosts.hosts;
    assert.equal(h1!.locality, 'eu/a/');
    assert.equal(h1!.localityWeight, 3);
    assert.equal(h1!.weight, 2);
    assert.deepEqual(h1!.metadata, { 'envoy.lb': toStruct({ version: 'v1' }) });
    assert.equal(h3!.priority, 1);
    const picks = Array.from({ length: 30 }, () => cluster.chooseHost()!.port);
    assert.equal(picks.filter((p) => p === 1001).length, 20);
    assert.equal(picks.filter((p) => p === 1002).length, 10);
    void h2;
    await cm.close(100);
  });

  it('leaves out a cluster whose balancer settings Envoy would reject, and keeps the others', async () => {
    const logger = memoryLogger();
    const cm = new ClusterManager(createProxyStats(), logger);
    const ok: Cluster = { name: 'ok', type: 'STATIC', load_assignment: { cluster_name: 'ok', endpoints: [] } };
    const bad: Cluster = { ...ok, name: 'bad', lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: '10' }, maximum_ring_size: { value: '5' } } };
    const b = cm.build(snapshot('1', { clusters: [ok, bad] }));
    b.commit();
    assert.ok(b.set.get('ok'));
    assert.equal(b.set.get('bad'), undefined);
    assert.ok(logger.entries.some((e) => e.msg === 'cluster rejected'));
    await cm.close(100);
  });
});
