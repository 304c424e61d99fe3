import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterManager } from '../../../../src/proxy/upstream/cluster-manager.js';
import { DnsCache, type DnsResolver } from '../../../../src/proxy/upstream/dns-cache.js';
import { StrictDnsRefresher } from '../../../../src/proxy/upstream/strict-dns.js';
import { createProxyStats } from '../../../../src/proxy/stats.js';
import type { Cluster } from '../../../../src/xds/envoy-types.js';
import { waitFor } from '../../../helpers/gloo-process.js';
import { memoryLogger } from '../fakes.js';
import { snapshot, staticCluster } from '../snapshot-builders.js';

/** A resolver whose answers the test sets (a name mapped to null fails). */
function fakeResolver(): { resolver: DnsResolver; answers: Map<string, string[] | null>; calls: string[] } {
  const answers = new Map<string, string[] | null>();
  const calls: string[] = [];
  const resolver: DnsResolver = async (name) => {
    calls.push(name);
    const a = answers.get(name);
    if (a === undefined || a === null) throw new Error(`cannot resolve ${name}`);
    return { addresses: a };
  };
  return { resolver, answers, calls };
}

describe('DNS cache', () => {
  it('caches answers, reports changes as sets, and keeps the last answer when a resolution fails', async () => {
    const { resolver, answers } = fakeResolver();
    const dns = new DnsCache(resolver);
    answers.set('a.test', ['10.0.0.1', '10.0.0.2', '10.0.0.1']);
    assert.deepEqual(await dns.ensure([['a.test', 4]], 1000), []);
    assert.deepEqual(dns.get('a.test', 4), ['10.0.0.1', '10.0.0.2']);
    assert.equal(dns.get('a.test', 6), undefined, 'per family');
    assert.deepEqual(dns.get('10.1.1.1', 4), ['10.1.1.1'], 'an IP is its own answer');
    answers.set('a.test', ['10.0.0.2', '10.0.0.1']);
    assert.equal((await dns.resolve('a.test', 4, 1000, false)).changed, false, 'same set, other order');
    answers.set('a.test', ['10.0.0.3']);
    assert.equal((await dns.resolve('a.test', 4, 1000, false)).changed, true);
    answers.set('a.test', null);
    await assert.rejects(dns.resolve('a.test', 4, 1000, false));
    assert.deepEqual(dns.get('a.test', 4), ['10.0.0.3']);
    answers.set('a.test', []);
    await assert.rejects(dns.resolve('a.test', 4, 1000, false), /no address/);
    const failures = await dns.ensure([['nope.test', 0]], 1000);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.name, 'nope.test');
  });

  it('remembers the TTL the resolver reports', async () => {
    const dns = new DnsCache(async () => ({ addresses: ['10.0.0.1'], ttlMs: 30_000 }));
    await dns.ensure([['t.test', 0, true]], 1000);
    assert.equal(dns.ttlOf('t.test', 0), 30_000);
  });

  it('the system resolver answers from /etc/hosts (localhost)', async () => {
    const dns = new DnsCache();
    assert.deepEqual(await dns.ensure([['localhost', 4]], 5000), []);
    assert.deepEqual(dns.get('localhost', 4), ['127.0.0.1']);
  });
});

describe('STRICT_DNS refresher', () => {
  it('re-resolves at the refresh rate, reports changes, and stops for clusters that left the config', async () => {
    const { resolver, answers, calls } = fakeResolver();
    const dns = new DnsCache(resolver);
    answers.set('s.test', ['10.0.0.1']);
    await dns.ensure([['s.test', 0]], 1000);
    const changed: string[] = [];
    const r = new StrictDnsRefresher(dns, memoryLogger(), (c) => changed.push(c));
    try {
      r.retain([{ name: 'c', names: [['s.test', 0]], refreshMs: 20, respectTtl: false }]);
      await waitFor('a few refreshes', () => calls.length >= 3);
      assert.deepEqual(changed, [], 'same answer: no change');
      answers.set('s.test', ['10.0.0.2']);
      await waitFor('the change', () => changed.length === 1);
      assert.deepEqual(dns.get('s.test', 0), ['10.0.0.2']);
      // Same spec again (a config update): the loop goes on.
      r.retain([{ name: 'c', names: [['s.test', 0]], refreshMs: 20, respectTtl: false }]);
      assert.equal(r.size, 1);
      r.retain([]);
      assert.equal(r.size, 0);
      const n = calls.length;
      await new Promise((res) => setTimeout(res, 100));
      assert.ok(calls.length <= n + 1, 'no refresh after the cluster left (one may have been in flight)');
    } finally {
      r.close();
    }
  });
});

describe('cluster manager: DNS, pipes, circuit breakers', () => {
  const strict = (addresses: string[]): Cluster =>
    staticCluster('dns', addresses.map((a) => ({ address: a, port: 80 })), { type: 'STRICT_DNS', dns_lookup_family: 'V4_ONLY', dns_refresh_rate: { seconds: '0', nanos: 20_000_000 } });

  it('STRICT_DNS: hosts follow the answers; unchanged hosts keep their object, removed ones their pool', async () => {
    const { resolver, answers } = fakeResolver();
    answers.set('svc.test', ['10.0.0.1', '10.0.0.2']);
    const cm = new ClusterManager(createProxyStats(), memoryLogger(), undefined, resolver);
    const s = snapshot('1', { clusters: [strict(['svc.test'])] });
    await cm.prepare(s);
    const b = cm.build(s);
    b.commit();
    const cluster = b.set.get('dns')!;
    try {
      assert.deepEqual(cluster.hosts.hosts.map((h) => h.address), ['10.0.0.1', '10.0.0.2']);
      assert.equal(cluster.hosts.hosts[0]!.hostname, 'svc.test', 'auto_host_rewrite uses the DNS name');
      const kept = cluster.hosts.hosts[1]!;
      kept.edsUnhealthy = true; // a flag health re-binding leaves alone
      assert.equal(cm.poolCount, 2);
      answers.set('svc.test', ['10.0.0.2', '10.0.0.3']);
      await waitFor('the new hosts', () => cluster.hosts.hosts.some((h) => h.address === '10.0.0.3'));
      assert.deepEqual(cluster.hosts.hosts.map((h) => h.address).sort(), ['10.0.0.2', '10.0.0.3']);
      assert.equal(cluster.hosts.hosts.find((h) => h.address === '10.0.0.2'), kept, 'same host object, same health state');
      assert.deepEqual(cluster.hosts.usable.map((h) => h.address), ['10.0.0.3']);
      assert.equal(cm.poolCount, 2, 'the pool of 10.0.0.1 was closed, one for 10.0.0.3 opened');
    } finally {
      await cm.close(100);
    }
  });

  it('circuit breakers are one object per cluster name across configs, reconfigured in place', async () => {
    const cm = new ClusterManager(createProxyStats(), memoryLogger());
    const c = (max: number) => staticCluster('c', [{ address: '127.0.0.1', port: 1 }], { circuit_breakers: { thresholds: [{ max_requests: { value: max } }] } });
    const b1 = cm.build(snapshot('1', { clusters: [c(5)] }));
    b1.commit();
    const b2 = cm.build(snapshot('2', { clusters: [c(7)] }));
    b2.commit();
    assert.equal(b1.set.get('c')!.circuitBreakers, b2.set.get('c')!.circuitBreakers);
    assert.equal(b2.set.get('c')!.circuitBreakers.maxRequests, 7);
    const b3 = cm.build(snapshot('3', { clusters: [] }));
    b3.commit();
    const b4 = cm.build(snapshot('4', { clusters: [c(7)] }));
    b4.commit();
    assert.notEqual(b4.set.get('c')!.circuitBreakers, b2.set.get('c')!.circuitBreakers, 'a cluster that left starts over');
    await cm.close(100);
  });

  it('pipe endpoints become hosts named by their path; a broken TLS config rejects only its cluster', async () => {
    const logger = memoryLogger();
    const cm = new ClusterManager(createProxyStats(), logger);
    const b = cm.build(
      snapshot('1', {
        clusters: [
          { name: 'pipe', type: 'STATIC', load_assignment: { cluster_name: 'pipe', endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: '/run/app.sock' } } } }] }] } },
          staticCluster('bad-tls', [{ address: '127.0.0.1', port: 1 }], {
            transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': 'x.UpstreamTlsContext', common_tls_context: { validation_context: { trusted_ca: { filename: '/nonexistent.pem' } } } } },
          }),
          staticCluster('ok', [{ address: '127.0.0.1', port: 1 }]),
        ],
      }),
    );
    b.commit();
    assert.deepEqual(b.set.get('pipe')!.hosts.hosts.map((h) => h.authority), ['/run/app.sock']);
    assert.equal(b.set.get('bad-tls'), undefined);
    assert.ok(b.set.get('ok'));
    assert.ok(logger.entries.some((e) => e.msg === 'cluster rejected' && e.fields?.cluster === 'bad-tls'));
    await cm.close(100);
  });
});
