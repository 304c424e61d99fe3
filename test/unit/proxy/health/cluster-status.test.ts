/**
 * The /clusters page (Envoy's text and JSON), merging the views of worker processes, and glooctl's
 * HEALTH column.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clustersJson, clustersText } from '../../../../src/admin/clusters.js';
import { startAdminServer } from '../../../../src/admin/server.js';
import { upstreamHealthText, type KubeObject } from '../../../../src/cli/printers.js';
import { createLogger } from '../../../../src/logger.js';
import { mergeClusterStatuses, type ClusterStatus, type HostStatus } from '../../../../src/proxy/upstream/health/cluster-status.js';

function host(address: string, port: number, flags: string[] = [], rq = 0): HostStatus {
  return {
    address,
    port,
    hostname: '',
    weight: 1,
    priority: 0,
    healthFlags: flags,
    edsHealthStatus: 'HEALTHY',
    stats: { cx_active: 1, cx_connect_fail: 0, rq_active: 0, rq_error: 0, rq_success: rq, rq_timeout: 0, rq_total: rq },
    successRate: -1,
    localOriginSuccessRate: -1,
    numEjections: 0,
  };
}

const statuses: ClusterStatus[] = [
  {
    name: 'echo_gloo-system',
    activeHealthChecks: true,
    outlier: { successRateAverage: 90, successRateEjectionThreshold: 52, localOriginSuccessRateAverage: -1, localOriginSuccessRateEjectionThreshold: -1 },
    hosts: [{ ...host('10.0.0.1', 8080, [], 7), successRate: 100 }, host('::1', 8081, ['failed_active_hc', 'active_hc_timeout'])],
  },
];

describe('/clusters', () => {
  it("prints Envoy's text format", () => {
    const t = clustersText(statuses);
    assert.match(t, /^echo_gloo-system::observability_name::echo_gloo-system$/m);
    assert.match(t, /^echo_gloo-system::outlier::success_rate_average::90$/m);
    assert.match(t, /^echo_gloo-system::outlier::success_rate_ejection_threshold::52$/m);
    assert.match(t, /^echo_gloo-system::added_via_api::true$/m);
    assert.match(t, /^echo_gloo-system::10\.0\.0\.1:8080::rq_total::7$/m);
    assert.match(t, /^echo_gloo-system::10\.0\.0\.1:8080::health_flags::healthy$/m);
    assert.match(t, /^echo_gloo-system::10\.0\.0\.1:8080::success_rate::100$/m);
    assert.match(t, /^echo_gloo-system::\[::1\]:8081::health_flags::\/failed_active_hc\/active_hc_timeout$/m);
    // Stats first, in alphabetical order, as Envoy prints them.
    const lines = t.split('\n').filter((l) => l.startsWith('echo_gloo-system::10.0.0.1:8080::')).map((l) => l.split('::')[2]);
    assert.deepEqual(lines.slice(0, 7), ['cx_active', 'cx_connect_fail', 'rq_active', 'rq_error', 'rq_success', 'rq_timeout', 'rq_total']);
  });

  it("prints Envoy's JSON (admin.v3.Clusters)", () => {
    const j = clustersJson(statuses) as any;
    const c = j.cluster_statuses[0];
    assert.equal(c.name, 'echo_gloo-system');
    assert.deepEqual(c.success_rate_ejection_threshold, { value: 52 });
    assert.equal(c.local_origin_success_rate_ejection_threshold, undefined);
    const [ok, bad] = c.host_statuses;
    assert.deepEqual(ok.address, { socket_address: { address: '10.0.0.1', port_value: 8080 } });
    assert.deepEqual(ok.health_status, { eds_health_status: 'HEALTHY' });
    assert.deepEqual(ok.success_rate, { value: 100 });
    assert.deepEqual(ok.stats.find((s: any) => s.name === 'cx_active'), { type: 'GAUGE', name: 'cx_active', value: '1' });
    assert.deepEqual(ok.stats.find((s: any) => s.name === 'rq_total'), { name: 'rq_total', value: '7' });
    assert.deepEqual(bad.health_status, { eds_health_status: 'HEALTHY', failed_active_health_check: true, active_hc_timeout: true });
    assert.equal(bad.success_rate, undefined);
  });

  it('merges worker views: every flag any worker set, counters added', () => {
    const w1: ClusterStatus[] = [{ name: 'c', activeHealthChecks: true, hosts: [host('10.0.0.1', 80, [], 2), host('10.0.0.2', 80, ['failed_outlier_check'], 1)] }];
    const w2: ClusterStatus[] = [{ name: 'c', activeHealthChecks: true, hosts: [host('10.0.0.1', 80, ['failed_active_hc'], 3), host('10.0.0.2', 80, ['failed_active_hc'], 1)] }];
    const m = mergeClusterStatuses([w1, w2]);
    assert.deepEqual(
      m[0]!.hosts.map((h) => [h.healthFlags, h.stats.rq_total]),
      [
        [['failed_active_hc'], 5],
        [['failed_active_hc', 'failed_outlier_check'], 2],
      ],
    );
    assert.equal(w1[0]!.hosts[0]!.stats.rq_total, 2, 'inputs untouched');
  });

  it('is 404 on an admin server without a data plane', async () => {
    const admin = await startAdminServer({ ready: () => true, logger: createLogger({ level: 'silent' }) }, 0);
    try {
      assert.equal((await fetch(`http://127.0.0.1:${admin.port}/clusters`)).status, 404);
    } finally {
      await admin.close();
    }
  });
});

describe('glooctl HEALTH column', () => {
  const us: KubeObject = { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', metadata: { name: 'echo', namespace: 'gloo-system' } };

  it('shows healthy/total and why hosts are out of rotation', () => {
    const text = upstreamHealthText(us, clustersJson(statuses) as any);
    assert.equal(text, '1/2 healthy\n- [::1]:8081 failed_active_hc');
  });

  it('says when the upstream is not served or the data plane cannot be read', () => {
    assert.equal(upstreamHealthText({ ...us, metadata: { name: 'other', namespace: 'gloo-system' } }, clustersJson(statuses) as any), 'not served');
    assert.equal(upstreamHealthText(us, undefined), 'unknown');
  });
});
