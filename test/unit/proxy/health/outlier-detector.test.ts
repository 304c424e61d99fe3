/**
 * Outlier detection with a manual clock: consecutive 5xx / gateway / local-origin ejections,
 * enforcement percentages, ejection time growing with each ejection and decaying while healthy,
 * max ejection percent, success rate and failure percentage sweeps, un-ejection by active checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProxyStats, clusterStatsFor } from '../../../../src/proxy/stats.js';
import { HostMonitor, LocalFailure } from '../../../../src/proxy/upstream/outlier/host-monitor.js';
import { compileOutlierDetection, type EnvoyOutlierDetection } from '../../../../src/proxy/upstream/outlier/outlier-config.js';
import { OutlierDetector } from '../../../../src/proxy/upstream/outlier/outlier-detector.js';
import { memoryLogger } from '../fakes.js';
import { ManualClock } from './manual-clock.js';

const ms = (n: number) => ({ seconds: String(Math.floor(n / 1000)), nanos: (n % 1000) * 1e6 });

function setup(od: EnvoyOutlierDetection, hosts = 10) {
  const clock = new ManualClock();
  const stats = clusterStatsFor(createProxyStats(), 'c');
  const d = new OutlierDetector(compileOutlierDetection(od), 'c', stats, clock, memoryLogger());
  const monitors = Array.from({ length: hosts }, (_, i) => new HostMonitor(`10.0.0.${i}:80`));
  const changes: HostMonitor[] = [];
  for (const m of monitors) {
    m.onEjectionChange = () => changes.push(m);
    d.add(m);
  }
  return { clock, stats, d, monitors, changes };
}

function fail(m: HostMonitor, n: number, code = 500): void {
  for (let i = 0; i < n; i++) m.onHttpStatus(code);
}

describe('outlier detector', () => {
  it('has Envoy defaults', () => {
    const c = compileOutlierDetection({});
    assert.equal(c.consecutive5xx, 5);
    assert.equal(c.intervalMs, 10_000);
    assert.equal(c.baseEjectionTimeMs, 30_000);
    assert.equal(c.maxEjectionTimeMs, 300_000);
    assert.equal(c.maxEjectionPercent, 10);
    assert.equal(c.enforcingConsecutiveGatewayFailure, 0);
    assert.equal(c.successRateStdevFactor, 1.9);
    assert.throws(() => compileOutlierDetection({ base_ejection_time: ms(10_000), max_ejection_time: ms(5000) }), /max_ejection_time/);
  });

  it('ejects after exactly consecutive_5xx errors; a success in between starts over', () => {
    const { d, monitors, stats } = setup({ consecutive_5xx: { value: 3 } });
    const [a, b] = monitors;
    fail(a!, 2);
    a!.onHttpStatus(200);
    fail(a!, 2);
    assert.equal(a!.ejected, false);
    fail(a!, 1);
    assert.equal(a!.ejected, true);
    assert.equal(stats.outlier_detection_ejections_active, 1);
    assert.equal(stats.outlier_detection_ejections_enforced_total, 1);
    // 4xx are successes for outlier detection.
    fail(b!, 10, 404);
    assert.equal(b!.ejected, false);
    assert.equal(d.monitors.size, 10);
  });

  it('counts connect failures as 503 and timeouts as 504 without split mode', () => {
    const { monitors } = setup({ consecutive_5xx: { value: 3 } });
    const [a] = monitors;
    a!.onLocalFailure(LocalFailure.ConnectFailed);
    a!.onLocalFailure(LocalFailure.Reset);
    a!.onLocalFailure(LocalFailure.Timeout);
    assert.equal(a!.ejected, true);
    assert.equal(a!.cxConnectFail, 1);
    assert.equal(a!.rqTimeout, 1);
  });

  it('consecutive gateway failures are detected but not enforced by default', () => {
    const a = setup({ consecutive_5xx: { value: 100 }, consecutive_gateway_failure: { value: 3 } });
    fail(a.monitors[0]!, 3, 503);
    assert.equal(a.monitors[0]!.ejected, false);
    assert.equal((a.stats as any).outlier_detection_ejections_detected_consecutive_gateway_failure, 1);
    const b = setup({ consecutive_5xx: { value: 100 }, consecutive_gateway_failure: { value: 3 }, enforcing_consecutive_gateway_failure: { value: 100 } });
    fail(b.monitors[0]!, 2, 502);
    fail(b.monitors[0]!, 1, 500); // not a gateway error: the gateway count starts over
    fail(b.monitors[0]!, 2, 504);
    assert.equal(b.monitors[0]!.ejected, false);
    fail(b.monitors[0]!, 1, 503);
    assert.equal(b.monitors[0]!.ejected, true);
  });

  it('in split mode local-origin failures have their own counter and 5xx ignore them', () => {
    const { monitors } = setup({ split_external_local_origin_errors: true, consecutive_5xx: { value: 2 }, consecutive_local_origin_failure: { value: 3 }, max_ejection_percent: { value: 100 } });
    const [a, b] = monitors;
    a!.onLocalFailure(LocalFailure.ConnectFailed);
    a!.onLocalFailure(LocalFailure.Timeout);
    a!.onHttpStatus(500); // a response: the connection worked, the local count starts over
    a!.onLocalFailure(LocalFailure.Reset);
    a!.onLocalFailure(LocalFailure.Reset);
    assert.equal(a!.ejected, false);
    a!.onLocalFailure(LocalFailure.Reset);
    assert.equal(a!.ejected, true);
    fail(b!, 2);
    assert.equal(b!.ejected, true);
  });

  it('honours enforcing percentages', () => {
    const { clock, monitors, stats } = setup({ consecutive_5xx: { value: 1 }, enforcing_consecutive_5xx: { value: 30 } });
    clock.randoms = [0.5, 0.1];
    fail(monitors[0]!, 1);
    assert.equal(monitors[0]!.ejected, false, '0.5 × 100 ≥ 30: not enforced');
    fail(monitors[1]!, 1);
    assert.equal(monitors[1]!.ejected, true);
    assert.equal((stats as any).outlier_detection_ejections_detected_consecutive_5xx, 2);
    assert.equal((stats as any).outlier_detection_ejections_enforced_consecutive_5xx, 1);
  });

  it('an ejected host returns after base_ejection_time × ejections, and the time decays while healthy', () => {
    const { clock, monitors, d, changes } = setup({ consecutive_5xx: { value: 1 }, interval: ms(100), base_ejection_time: ms(300), max_ejection_time: ms(700) });
    const a = monitors[0]!;
    fail(a, 1);
    assert.equal(d.ejectionTimeMs(a), 300);
    clock.advance(200);
    assert.equal(a.ejected, true);
    clock.advance(100);
    assert.equal(a.ejected, false, 'back at the first sweep after 300 ms');
    assert.deepEqual(changes, [a, a]);
    // Ejected again before any sweep saw it healthy: twice as long.
    fail(a, 1);
    assert.equal(d.ejectionTimeMs(a), 600);
    clock.advance(500);
    assert.equal(a.ejected, true);
    clock.advance(100);
    assert.equal(a.ejected, false);
    fail(a, 1);
    assert.equal(d.ejectionTimeMs(a), 700, 'capped at max_ejection_time');
    clock.advance(700);
    assert.equal(a.ejected, false);
    // Each sweep that finds it healthy lowers the multiplier by one (3 → 0 after three sweeps).
    clock.advance(300);
    fail(a, 1);
    assert.equal(d.ejectionTimeMs(a), 300);
    assert.equal(a.numEjections, 4);
  });

  it('never ejects more than max_ejection_percent of the hosts, but always one', () => {
    const four = setup({ consecutive_5xx: { value: 1 }, max_ejection_percent: { value: 50 } }, 4);
    for (const m of four.monitors) fail(m, 1);
    assert.equal(four.monitors.filter((m) => m.ejected).length, 2);
    assert.equal(four.stats.outlier_detection_ejections_overflow, 2);

    const three = setup({ consecutive_5xx: { value: 1 }, max_ejection_percent: { value: 50 } }, 3);
    for (const m of three.monitors) fail(m, 1);
    assert.equal(three.monitors.filter((m) => m.ejected).length, 1, '2 of 3 would be 67 %');

    const def = setup({ consecutive_5xx: { value: 1 } }, 2);
    for (const m of def.monitors) fail(m, 1);
    assert.equal(def.monitors.filter((m) => m.ejected).length, 1, 'the 10 % default still ejects one host');

    const none = setup({ consecutive_5xx: { value: 1 }, max_ejection_percent: { value: 0 } }, 2);
    fail(none.monitors[0]!, 1);
    assert.equal(none.monitors[0]!.ejected, false);
  });

  it('ejects hosts whose success rate is below mean − factor × stdev', () => {
    const { clock, monitors, d } = setup(
      { consecutive_5xx: { value: 1000 }, interval: ms(1000), success_rate_minimum_hosts: { value: 5 }, success_rate_request_volume: { value: 10 }, max_ejection_percent: { value: 50 } },
      5,
    );
    for (const m of monitors.slice(1)) for (let i = 0; i < 100; i++) m.onHttpStatus(200);
    for (let i = 0; i < 100; i++) monitors[0]!.onHttpStatus(i < 50 ? 500 : 200);
    clock.advance(1000);
    assert.equal(monitors[0]!.ejected, true);
    assert.equal(monitors[0]!.successRate, 50);
    assert.equal(d.successRateAverage, 90);
    // Envoy's example: {50, 100, 100, 100, 100} → mean 90, stdev 20, threshold 90 − 1.9 × 20 = 52.
    assert.ok(Math.abs(d.successRateEjectionThreshold - 52) < 1e-9);
    for (const m of monitors.slice(1)) assert.equal(m.ejected, false);
  });

  it('does not compute success rates with too few hosts or requests', () => {
    const { clock, monitors, d } = setup({ consecutive_5xx: { value: 1000 }, interval: ms(1000), success_rate_request_volume: { value: 10 } }, 4);
    for (const m of monitors) for (let i = 0; i < 20; i++) m.onHttpStatus(m === monitors[0] ? 500 : 200);
    clock.advance(1000);
    assert.equal(monitors[0]!.ejected, false, '4 hosts < success_rate_minimum_hosts 5');
    assert.equal(d.successRateAverage, -1);
  });

  it('failure percentage ejects at the threshold when enforced', () => {
    const { clock, monitors } = setup(
      {
        consecutive_5xx: { value: 1000 },
        interval: ms(1000),
        enforcing_success_rate: { value: 0 },
        failure_percentage_threshold: { value: 60 },
        enforcing_failure_percentage: { value: 100 },
        failure_percentage_minimum_hosts: { value: 2 },
        failure_percentage_request_volume: { value: 10 },
        max_ejection_percent: { value: 100 },
      },
      3,
    );
    for (let i = 0; i < 10; i++) {
      monitors[0]!.onHttpStatus(i < 6 ? 503 : 200);
      monitors[1]!.onHttpStatus(i < 5 ? 503 : 200);
      monitors[2]!.onHttpStatus(200);
    }
    clock.advance(1000);
    assert.deepEqual(
      monitors.map((m) => m.ejected),
      [true, false, false],
    );
  });

  it('a successful active health check un-ejects the host', () => {
    const { monitors, d, stats } = setup({ consecutive_5xx: { value: 1 } });
    fail(monitors[0]!, 1);
    d.successfulActiveHealthCheck(monitors[0]!);
    assert.equal(monitors[0]!.ejected, false);
    assert.equal(stats.outlier_detection_ejections_active, 0);
    const off = setup({ consecutive_5xx: { value: 1 }, successful_active_health_check_uneject_host: { value: false } });
    fail(off.monitors[0]!, 1);
    off.d.successfulActiveHealthCheck(off.monitors[0]!);
    assert.equal(off.monitors[0]!.ejected, true);
  });

  it('stop lifts every ejection and detaches the monitors', () => {
    const { monitors, d, clock } = setup({ consecutive_5xx: { value: 1 } });
    fail(monitors[0]!, 1);
    d.stop();
    assert.equal(monitors[0]!.ejected, false);
    assert.equal(monitors[0]!.detector, null);
    assert.deepEqual(clock.pendingDelays(), []);
  });
});
