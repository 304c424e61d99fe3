/**
 * Host health across config updates, through the real ClusterManager with scripted probes and a
 * manual clock: initial state and warming, state carried to rebuilt hosts, sessions kept while the
 * checks are unchanged and restarted when they change, removed hosts and clusters stopped, hosts
 * absent from EDS kept while they pass (unless ignore_health_on_host_removal), outlier ejection seen
 * by the load balancer, and the /clusters view.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Cluster } from '../../../../src/xds/envoy-types.js';
import { ClusterManager } from '../../../../src/proxy/upstream/cluster-manager.js';
import { clusterStatuses } from '../../../../src/proxy/upstream/health/cluster-status.js';
import type { CompiledHealthCheck } from '../../../../src/proxy/upstream/health/health-check-config.js';
import type { ProbeTarget } from '../../../../src/proxy/upstream/health/probes/probe.js';
import { createProxyStats } from '../../../../src/proxy/stats.js';
import { clustersText } from '../../../../src/admin/clusters.js';
import { memoryLogger } from '../fakes.js';
import { edsCluster as edsClusterOf, loadAssignment, snapshot, staticCluster as staticClusterOf, type EndpointSpec } from '../snapshot-builders.js';
import { ManualClock, flush } from './manual-clock.js';
import { BAD, NET, OK, ScriptedProbe, type Step } from './scripted-probe.js';

/**
 * Clusters without Envoy's panic mode (`healthy_panic_threshold: 0`): with it (50 % by default), a
 * cluster whose hosts are all unhealthy balances over all of them, which would hide what these tests
 * check.
 */
const NO_PANIC = { common_lb_config: { healthy_panic_threshold: { value: 0 } } };
const staticCluster = (name: string, endpoints: Parameters<typeof staticClusterOf>[1], extra: Partial<Cluster> = {}): Cluster =>
  staticClusterOf(name, endpoints, { ...NO_PANIC, ...extra });
const edsCluster = (name: string): Cluster => ({ ...edsClusterOf(name), ...NO_PANIC });


const sec = (n: number) => ({ seconds: String(n), nanos: 0 });

function httpCheck(path = '/healthz', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { timeout: sec(1), interval: sec(5), no_traffic_interval: sec(5), unhealthy_threshold: { value: 2 }, healthy_threshold: { value: 1 }, http_health_check: { path }, ...extra };
}

const ep = (port: number): EndpointSpec => ({ address: '127.0.0.1', port });

class Harness {
  readonly clock = new ManualClock();
  readonly stats = createProxyStats();
  readonly logger = memoryLogger();
  /** Every probe created, by `address:port`, newest last. */
  readonly probes = new Map<string, ScriptedProbe[]>();
  /** Scripts for the next probe created for a port (probes start checking as soon as they exist). */
  readonly scripts = new Map<number, Step[]>();
  readonly cm: ClusterManager;

  constructor() {
    this.cm = new ClusterManager(this.stats, this.logger, {
      clock: this.clock,
      probeFactory: (t: ProbeTarget, _c: CompiledHealthCheck) => {
        const p = new ScriptedProbe(this.scripts.get(t.port) ?? [], OK);
        this.scripts.delete(t.port);
        const k = `${t.address}:${t.port}`;
        this.probes.set(k, [...(this.probes.get(k) ?? []), p]);
        return p;
      },
    });
  }

  probe(port: number): ScriptedProbe {
    return this.probes.get(`127.0.0.1:${port}`)!.at(-1)!;
  }

  /** Builds, lets first checks answer, commits; returns the cluster set. */
  async apply(clusters: Cluster[], endpoints: ReturnType<typeof loadAssignment>[] = [], version = '1') {
    const b = this.cm.build(snapshot(version, { clusters, endpoints }));
    await flush();
    await b.warmed;
    b.commit();
    return b.set;
  }

  async tick(ms: number): Promise<void> {
    this.clock.advance(ms);
    await flush();
  }

  close(): Promise<void> {
    return this.cm.close(100);
  }
}

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function usablePorts(set: Awaited<ReturnType<Harness['apply']>>, cluster: string): number[] {
  return set.get(cluster)!.hosts.usable.map((x) => x.port).sort();
}

describe('upstream health across config updates', () => {
  it('hosts of a new checked cluster start failed and pending; the build waits for the first round', async () => {
    h = new Harness();
    h.scripts.set(1002, [NET]);
    const b = h.cm.build(snapshot('1', { clusters: [staticCluster('c', [ep(1001), ep(1002)], { health_checks: [httpCheck()] })] }));
    const hosts = b.set.get('c')!.hosts;
    assert.deepEqual(
      hosts.hosts.map((x) => [x.failedActiveHealthCheck, x.pendingActiveHealthCheck]),
      [
        [true, true],
        [true, true],
      ],
    );
    assert.equal(hosts.usable.length, 0);
    // The probes answered synchronously-resolved promises: the first round completes.
    await b.warmed;
    b.commit();
    assert.deepEqual(hosts.usable.map((x) => x.port), [1001]);
    const failed = hosts.hosts.find((x) => x.port === 1002)!;
    assert.equal(failed.failedActiveHealthCheck, true);
    assert.equal(failed.pendingActiveHealthCheck, false);
    assert.equal(h.stats.clusters['c']!.health_check_healthy, 1);
    assert.equal(h.stats.clusters['c']!.membership_healthy, 1);
    assert.equal(h.stats.clusters['c']!.membership_total, 2);
  });

  it('keeps sessions and health across rebuilds while the checks are unchanged', async () => {
    h = new Harness();
    const cluster = staticCluster('c', [ep(1001), ep(1002)], { health_checks: [httpCheck()] });
    const s1 = await h.apply([cluster]);
    h.probe(1002).fallback = BAD;
    await h.tick(5000);
    assert.deepEqual(usablePorts(s1, 'c'), [1001]);

    // A new config (e.g. a route changed): new host objects, same endpoints.
    const s2 = await h.apply([staticCluster('c', [ep(1001), ep(1002)], { health_checks: [httpCheck()] })], [], '2');
    assert.notEqual(s2.get('c')!.hosts.hosts[0], s1.get('c')!.hosts.hosts[0]);
    assert.deepEqual(usablePorts(s2, 'c'), [1001], 'the failed host stays failed without a new check');
    assert.equal(h.probes.get('127.0.0.1:1002')!.length, 1, 'no new session');
    assert.equal(h.probe(1002).closed, false);

    // It recovers later: the new config's host set sees it.
    h.probe(1002).fallback = OK;
    await h.tick(5000);
    assert.deepEqual(usablePorts(s2, 'c'), [1001, 1002]);
  });

  it('a change while a new config warms reaches the serving host set too', async () => {
    h = new Harness();
    const s1 = await h.apply([staticCluster('c', [ep(1001)], { health_checks: [httpCheck()] })]);
    const b = h.cm.build(snapshot('2', { clusters: [staticCluster('c', [ep(1001)], { health_checks: [httpCheck()] })] }));
    h.probe(1001).fallback = BAD;
    await h.tick(5000);
    assert.deepEqual(usablePorts(s1, 'c'), []);
    assert.deepEqual(usablePorts(b.set, 'c'), []);
    b.commit();
  });

  it('changed checks start over; removed hosts and clusters stop their sessions', async () => {
    h = new Harness();
    await h.apply([staticCluster('c', [ep(1001), ep(1002)], { health_checks: [httpCheck()] }), staticCluster('d', [ep(2001)], { health_checks: [httpCheck()] })]);
    const old1001 = h.probe(1001);
    const old1002 = h.probe(1002);
    const old2001 = h.probe(2001);

    const b = h.cm.build(snapshot('2', { clusters: [staticCluster('c', [ep(1001)], { health_checks: [httpCheck('/other')] })] }));
    assert.equal(b.set.get('c')!.hosts.hosts[0]!.failedActiveHealthCheck, true, 'fresh sessions start failed');
    assert.notEqual(h.probe(1001), old1001);
    await flush();
    await b.warmed;
    b.commit();
    assert.equal(old1001.closed, true);
    assert.equal(old1002.closed, true);
    assert.equal(old2001.closed, true, 'cluster d is gone');
    assert.deepEqual(usablePorts(b.set, 'c'), [1001]);
  });

  it('a host added to a checked cluster starts failed and pending without holding the config', async () => {
    h = new Harness();
    await h.apply([staticCluster('c', [ep(1001)], { health_checks: [httpCheck()] })]);
    h.scripts.set(1002, ['hang']);
    const b = h.cm.build(snapshot('2', { clusters: [staticCluster('c', [ep(1001), ep(1002)], { health_checks: [httpCheck()] })] }));
    await b.warmed; // does not wait for 1002
    b.commit();
    const added = b.set.get('c')!.hosts.hosts.find((x) => x.port === 1002)!;
    assert.equal(added.failedActiveHealthCheck, true);
    assert.equal(added.pendingActiveHealthCheck, true);
    assert.match(clustersText(clusterStatuses(b.set, h.cm.health)), /c::127\.0\.0\.1:1002::health_flags::\/failed_active_hc\/pending_active_hc/);
    await h.tick(1000); // the check times out
    assert.equal(added.pendingActiveHealthCheck, false);
    assert.equal(added.activeHealthCheckTimeout, true);
    assert.match(clustersText(clusterStatuses(b.set, h.cm.health)), /c::127\.0\.0\.1:1002::health_flags::\/failed_active_hc\/active_hc_timeout\n/);
  });

  it('keeps a host absent from EDS while it passes its checks, and drops it once it fails', async () => {
    h = new Harness();
    const eds: Cluster = { ...edsCluster('e'), health_checks: [httpCheck()] };
    await h.apply([eds], [loadAssignment('e', [ep(1001), ep(1002)])]);
    const s2 = await h.apply([eds], [loadAssignment('e', [ep(1001)])], '2');
    const kept = s2.get('e')!.hosts.hosts.find((x) => x.port === 1002)!;
    assert.ok(kept, 'absent from discovery, passing: still routed (Envoy)');
    assert.equal(kept.pendingDynamicRemoval, true);
    assert.deepEqual(usablePorts(s2, 'e'), [1001, 1002]);
    assert.match(clustersText(clusterStatuses(s2, h.cm.health)), /e::127\.0\.0\.1:1002::health_flags::\/pending_dynamic_removal\n/);

    h.probe(1002).fallback = BAD;
    await h.tick(5000);
    assert.deepEqual(usablePorts(s2, 'e'), [1001], 'absent and failing: not routed');
    assert.equal(h.probe(1002).closed, true, 'and purged');
    const s3 = await h.apply([eds], [loadAssignment('e', [ep(1001)])], '3');
    assert.deepEqual(
      s3.get('e')!.hosts.hosts.map((x) => x.port),
      [1001],
    );
  });

  it('ignore_health_on_host_removal drops absent hosts at once; static clusters never keep them', async () => {
    h = new Harness();
    const eds: Cluster = { ...edsCluster('e'), health_checks: [httpCheck()], ignore_health_on_host_removal: true };
    await h.apply([eds, staticCluster('s', [ep(3001), ep(3002)], { health_checks: [httpCheck()] })], [loadAssignment('e', [ep(1001), ep(1002)])]);
    const s2 = await h.apply([eds, staticCluster('s', [ep(3001)], { health_checks: [httpCheck()] })], [loadAssignment('e', [ep(1001)])], '2');
    assert.deepEqual(
      s2.get('e')!.hosts.hosts.map((x) => x.port),
      [1001],
    );
    assert.deepEqual(
      s2.get('s')!.hosts.hosts.map((x) => x.port),
      [3001],
    );
    assert.equal(h.probe(1002).closed, true);
  });

  it('outlier ejection reported through host.monitor takes the host out and survives a rebuild', async () => {
    h = new Harness();
    const od = { consecutive_5xx: { value: 2 }, interval: sec(1), base_ejection_time: sec(10), max_ejection_percent: { value: 50 } };
    const s1 = await h.apply([staticCluster('c', [ep(1001), ep(1002)], { outlier_detection: od })]);
    const bad = s1.get('c')!.hosts.hosts.find((x) => x.port === 1002)!;
    bad.monitor.onHttpStatus(500);
    bad.monitor.onHttpStatus(500);
    assert.equal(bad.failedOutlierCheck, true);
    assert.deepEqual(usablePorts(s1, 'c'), [1001]);
    const s2 = await h.apply([staticCluster('c', [ep(1001), ep(1002)], { outlier_detection: od })], [], '2');
    assert.deepEqual(usablePorts(s2, 'c'), [1001]);
    assert.equal(h.stats.clusters['c']!.outlier_detection_ejections_active, 1);
    const view = clusterStatuses(s2, h.cm.health).find((c) => c.name === 'c')!;
    assert.deepEqual(view.hosts.find((x) => x.port === 1002)!.healthFlags, ['failed_outlier_check']);
    assert.equal(view.hosts.find((x) => x.port === 1002)!.stats.rq_error, 2);
    await h.tick(10_000);
    assert.deepEqual(usablePorts(s2, 'c'), [1001, 1002], 'back after base_ejection_time');
  });

  it('a successful active check un-ejects an outlier', async () => {
    h = new Harness();
    const od = { consecutive_5xx: { value: 1 }, base_ejection_time: sec(60), max_ejection_percent: { value: 100 } };
    const s1 = await h.apply([staticCluster('c', [ep(1001)], { outlier_detection: od, health_checks: [httpCheck()] })]);
    const host = s1.get('c')!.hosts.hosts[0]!;
    host.monitor.onHttpStatus(503);
    assert.equal(host.usable, false);
    await h.tick(5000);
    assert.equal(host.usable, true);
  });

  it('rejects a cluster whose checks Envoy would refuse, and builds the others', async () => {
    h = new Harness();
    const set = await h.apply([
      staticCluster('bad', [ep(1001)], { health_checks: [{ timeout: sec(1), interval: sec(1), tcp_health_check: { send: { text: 'not hex' } } }] }),
      staticCluster('good', [ep(1002)]),
    ]);
    assert.equal(set.get('bad'), undefined);
    assert.ok(set.get('good'));
    assert.ok(h.logger.entries.some((e) => e.msg === 'cluster rejected' && /not hex/.test(String((e.fields as any)?.err?.message))));
  });

  it('sessions of a build that is never committed stop at the next build', async () => {
    h = new Harness();
    h.cm.build(snapshot('1', { clusters: [staticCluster('c', [ep(1001)], { health_checks: [httpCheck()] })] }));
    const orphan = h.probe(1001);
    await h.apply([staticCluster('d', [ep(2001)])], [], '2');
    assert.equal(orphan.closed, true);
  });

  it('writes Envoy health check events to event_log_path', async () => {
    h = new Harness();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-events-'));
    const file = path.join(dir, 'events.log');
    try {
      h.scripts.set(1001, [NET, OK, BAD]);
      await h.apply([staticCluster('c', [ep(1001)], { health_checks: [httpCheck('/healthz', { event_log_path: file, unhealthy_threshold: { value: 3 } })] })]);
      await h.tick(5000);
      await h.tick(5000);
      await h.cm.close(100);
      const events = fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        events.map(({ timestamp, ...e }) => (assert.ok(!Number.isNaN(Date.parse(timestamp))), e)),
        [
          { health_checker_type: 'HTTP', host: { socket_address: { address: '127.0.0.1', port_value: 1001 } }, cluster_name: 'c', health_check_failure_event: { failure_type: 'NETWORK', first_check: true } },
          { health_checker_type: 'HTTP', host: { socket_address: { address: '127.0.0.1', port_value: 1001 } }, cluster_name: 'c', add_healthy_event: { first_check: false } },
          { health_checker_type: 'HTTP', host: { socket_address: { address: '127.0.0.1', port_value: 1001 } }, cluster_name: 'c', eject_unhealthy_event: { failure_type: 'ACTIVE' } },
        ],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
