import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterManager } from '../../../src/proxy/upstream/cluster-manager.js';
import { HostSet } from '../../../src/proxy/upstream/host.js';
import { RoundRobinLoadBalancer } from '../../../src/proxy/upstream/lb/round-robin.js';
import { RandomLoadBalancer } from '../../../src/proxy/upstream/lb/random.js';
import { DEFAULT_LB_CONFIG } from '../../../src/proxy/upstream/lb/lb-config.js';
import { createProxyStats } from '../../../src/proxy/stats.js';
import { fakeHost, memoryLogger } from './fakes.js';
import { edsCluster, loadAssignment, snapshot, staticCluster } from './snapshot-builders.js';

describe('load balancers', () => {
  it('round robin cycles over usable hosts and skips unusable ones', () => {
    const hosts = [fakeHost('10.0.0.1'), fakeHost('10.0.0.2'), fakeHost('10.0.0.3')];
    const set = new HostSet(hosts);
    const lb = new RoundRobinLoadBalancer(set);
    assert.deepEqual([1, 2, 3, 4].map(() => lb.chooseHost()!.address), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1']);
    hosts[1]!.failedActiveHealthCheck = true;
    set.refresh();
    const picks = [1, 2, 3, 4].map(() => lb.chooseHost()!.address).sort();
    assert.deepEqual(picks, ['10.0.0.1', '10.0.0.1', '10.0.0.3', '10.0.0.3']);
  });

  it('prefers the highest priority level; with no usable host it panics (default threshold) or returns null (threshold 0)', () => {
    const p0 = fakeHost('10.0.0.1', 0);
    const p1 = fakeHost('10.0.1.1', 1);
    const set = new HostSet([p1, p0]);
    const rr = new RoundRobinLoadBalancer(set);
    const strict = new RoundRobinLoadBalancer(set, { ...DEFAULT_LB_CONFIG, panicThreshold: 0 });
    assert.equal(rr.chooseHost(), p0);
    p0.edsUnhealthy = true;
    set.refresh();
    assert.equal(rr.chooseHost(), p1);
    p1.edsUnhealthy = true;
    set.refresh();
    // Envoy's total panic: every level below the panic threshold, so all hosts are used, health aside.
    assert.ok([p0, p1].includes(rr.chooseHost()!));
    assert.equal(strict.chooseHost(), null);
    assert.equal(new RandomLoadBalancer(set, { ...DEFAULT_LB_CONFIG, panicThreshold: 0 }).chooseHost(), null);
  });
});

describe('cluster manager', () => {
  it('builds STATIC and EDS clusters, skips EDS-unhealthy endpoints, keeps pools of surviving endpoints', async () => {
    const stats = createProxyStats();
    const cm = new ClusterManager(stats, memoryLogger());
    const s1 = snapshot('1', {
      clusters: [
        staticCluster('s', [{ address: '127.0.0.1', port: 1001 }, { address: '127.0.0.1', port: 1002 }]),
        edsCluster('e', 'svc'),
        edsCluster('e2'),
      ],
      endpoints: [
        loadAssignment('svc', [{ address: '127.0.0.2', port: 80 }, { address: '127.0.0.3', port: 80, health: 'UNHEALTHY' }]),
        loadAssignment('e2', [{ address: '127.0.0.4', port: 80 }]),
      ],
    });
    const b1 = cm.build(s1);
    b1.commit();
    assert.equal(b1.set.get('s')!.hosts.usable.length, 2);
    assert.deepEqual(b1.set.get('e')!.hosts.usable.map((h) => h.address), ['127.0.0.2']);
    assert.deepEqual(b1.set.get('e2')!.hosts.usable.map((h) => h.address), ['127.0.0.4']);
    assert.equal(cm.poolCount, 5);
    const kept = b1.set.get('s')!.hosts.hosts[0]!.pool;

    const s2 = snapshot('2', { clusters: [staticCluster('s', [{ address: '127.0.0.1', port: 1001 }])] });
    const b2 = cm.build(s2);
    b2.commit();
    assert.equal(b2.set.get('s')!.hosts.hosts[0]!.pool, kept);
    assert.equal(cm.poolCount, 1);
    assert.ok(stats.clusters['s']);
    await cm.close(1000);
    assert.equal(cm.poolCount, 0);
  });

  it('resolves STRICT_DNS names before building and keeps the DNS name for auto_host_rewrite', async () => {
    const cm = new ClusterManager(createProxyStats(), memoryLogger());
    const s = snapshot('1', { clusters: [staticCluster('dns', [{ address: 'localhost', port: 8080 }], { type: 'STRICT_DNS', dns_lookup_family: 'V4_ONLY' })] });
    await cm.prepare(s);
    const b = cm.build(s);
    b.commit();
    const hosts = b.set.get('dns')!.hosts.hosts;
    assert.ok(hosts.length >= 1);
    assert.equal(hosts[0]!.address, '127.0.0.1');
    assert.equal(hosts[0]!.hostname, 'localhost');
    await cm.close(1000);
  });

  it('gives LOGICAL_DNS clusters one host that the pool resolves', async () => {
    const cm = new ClusterManager(createProxyStats(), memoryLogger());
    const b = cm.build(snapshot('1', { clusters: [staticCluster('l', [{ address: 'example.invalid', port: 80 }, { address: 'b.invalid', port: 80 }], { type: 'LOGICAL_DNS' })] }));
    const hosts = b.set.get('l')!.hosts.hosts;
    assert.equal(hosts.length, 1);
    assert.equal(hosts[0]!.address, 'example.invalid');
    assert.equal(hosts[0]!.hostname, 'example.invalid');
    b.commit();
    await cm.close(1000);
  });
});
