/**
 * Compiling Envoy HealthCheck messages: Envoy's defaults, what Envoy would reject, and the checks the
 * translator emits for Gloo's Upstreams (its golden output) compile to what the Upstream says.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Cluster } from '../../../../src/xds/envoy-types.js';
import { applyHeaderEdits, compileHealthCheck, type EnvoyHealthCheck } from '../../../../src/proxy/upstream/health/health-check-config.js';
import { compileOutlierDetection, type EnvoyOutlierDetection } from '../../../../src/proxy/upstream/outlier/outlier-config.js';
import { REPO_ROOT } from '../../../helpers/gloo-process.js';

const sec = (n: number) => ({ seconds: String(n), nanos: 0 });

describe('health check config', () => {
  it("applies Envoy's defaults", () => {
    const c = compileHealthCheck({ timeout: sec(1), interval: sec(5), http_health_check: { path: '/h' } }, 'echo_gloo-system');
    assert.equal(c.noTrafficIntervalMs, 60_000);
    assert.equal(c.noTrafficHealthyIntervalMs, 60_000);
    assert.equal(c.unhealthyIntervalMs, 5000);
    assert.equal(c.unhealthyEdgeIntervalMs, 5000);
    assert.equal(c.healthyEdgeIntervalMs, 5000);
    assert.equal(c.reuseConnection, true);
    assert.equal(c.unhealthyThreshold, 1);
    assert.equal(c.healthyThreshold, 1);
    assert.ok(c.protocol.kind === 'http');
    assert.equal(c.protocol.host, 'echo_gloo-system', 'Host is the cluster name when empty');
    assert.equal(c.protocol.method, 'GET');
    assert.deepEqual(c.protocol.expected, [[200, 201]]);
    const u = compileHealthCheck({ timeout: sec(1), interval: sec(5), unhealthy_interval: sec(2), grpc_health_check: {} }, 'g');
    assert.equal(u.unhealthyEdgeIntervalMs, 2000, 'unhealthy_edge_interval defaults to unhealthy_interval');
    assert.ok(u.protocol.kind === 'grpc');
    assert.equal(u.protocol.authority, 'g');
  });

  it('rejects what Envoy rejects', () => {
    const bad: [EnvoyHealthCheck, RegExp][] = [
      [{ interval: sec(1), http_health_check: { path: '/' } }, /timeout is required/],
      [{ timeout: sec(1), http_health_check: { path: '/' } }, /interval is required/],
      [{ timeout: sec(1), interval: sec(1), http_health_check: {} }, /path is required/],
      [{ timeout: sec(1), interval: sec(1), http_health_check: { path: '/', expected_statuses: [{ start: '600', end: '700' }] } }, /\[100, 600\)/],
      [{ timeout: sec(1), interval: sec(1), http_health_check: { path: '/', method: 'CONNECT' } }, /CONNECT is not allowed/],
      [{ timeout: sec(1), interval: sec(1), custom_health_check: { name: 'redis' } }, /custom health checker "redis"/],
      [{ timeout: sec(1), interval: sec(1) }, /no checker/],
    ];
    for (const [hc, re] of bad) assert.throws(() => compileHealthCheck(hc, 'c'), re);
  });

  it('applies header edits as Envoy: removals first, then additions by append action', () => {
    const h: Record<string, string | string[]> = { host: 'x', 'user-agent': 'Envoy/HC', a: '1' };
    applyHeaderEdits(
      h,
      ['user-agent', 'host'],
      [
        { key: 'a', value: '2', action: 'APPEND_IF_EXISTS_OR_ADD' },
        { key: 'b', value: '1', action: 'ADD_IF_ABSENT' },
        { key: 'a', value: 'x', action: 'ADD_IF_ABSENT' },
        { key: 'c', value: '1', action: 'OVERWRITE_IF_EXISTS' },
        { key: 'user-agent', value: 'mine', action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      ],
    );
    assert.deepEqual(h, { host: 'x', a: ['1', '2'], b: '1', 'user-agent': 'mine' });
  });

  it("compiles the translator's health checks and outlier detection (golden output) as the Upstream says", () => {
    const out = parse(fs.readFileSync(path.join(REPO_ROOT, 'test/golden/translator/envoy-health-checks.out.yaml'), 'utf8')) as {
      xds: Record<string, { clusters: Cluster[] }>;
    };
    const cluster = out.xds['gloo-system~gateway-proxy']!.clusters.find((c) => c.name === 'checked_gloo-system')!;
    const [http, tcp, grpc] = (cluster.health_checks as EnvoyHealthCheck[]).map((hc) => compileHealthCheck(hc, cluster.name));
    assert.ok(http!.protocol.kind === 'http');
    assert.equal(http!.intervalMs, 30_000);
    assert.equal(http!.healthyThreshold, 2);
    assert.equal(http!.unhealthyThreshold, 3);
    assert.equal(http!.reuseConnection, false);
    assert.equal(http!.protocol.path, '/check/healthz');
    assert.equal(http!.protocol.host, 'health.internal');
    assert.equal(http!.protocol.method, 'HEAD');
    assert.equal(http!.protocol.http2, true);
    assert.deepEqual(http!.protocol.expected, [[200, 300]]);
    assert.deepEqual(http!.protocol.headersToRemove, ['authorization']);
    assert.deepEqual(http!.protocol.headersToAdd, [{ key: 'x-probe', value: 'gloo', action: 'APPEND_IF_EXISTS_OR_ADD' }]);
    assert.ok(tcp!.protocol.kind === 'tcp');
    assert.equal(tcp!.protocol.send.toString(), 'PING');
    assert.deepEqual(
      tcp!.protocol.receive.map((b) => b.toString()),
      ['PONG'],
    );
    assert.ok(grpc!.protocol.kind === 'grpc');
    assert.equal(grpc!.protocol.authority, 'grpc.internal');
    assert.equal(grpc!.intervalJitterMs, 1000);
    const od = compileOutlierDetection(cluster.outlier_detection as EnvoyOutlierDetection);
    assert.equal(od.consecutive5xx, 3);
    assert.equal(od.maxEjectionPercent, 50);
    assert.equal(od.enforcingSuccessRate, 0);
    assert.equal(od.splitExternalLocalOriginErrors, true);
    assert.equal(cluster.ignore_health_on_host_removal, true);
  });
});
