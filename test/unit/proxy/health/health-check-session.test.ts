/**
 * The active health check session with a scripted probe and a manual clock: Envoy's thresholds,
 * intervals, jitter, timeouts and the initial (failed, pending) state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileHealthCheck, type EnvoyHealthCheck } from '../../../../src/proxy/upstream/health/health-check-config.js';
import { HealthCheckSession, Transition, type SessionOwner } from '../../../../src/proxy/upstream/health/health-check-session.js';
import { FailureType, type ProbeResult } from '../../../../src/proxy/upstream/health/probes/probe.js';
import { ManualClock, flush } from './manual-clock.js';
import { BAD, NET, OK, RETRIABLE, ScriptedProbe, type Step } from './scripted-probe.js';

const s = (sec: number) => ({ seconds: String(Math.floor(sec)), nanos: Math.round((sec % 1) * 1e9) });

function config(extra: Partial<EnvoyHealthCheck> = {}) {
  return compileHealthCheck(
    {
      timeout: s(1),
      interval: s(5),
      unhealthy_threshold: { value: 3 },
      healthy_threshold: { value: 2 },
      http_health_check: { path: '/healthz' },
      ...extra,
    },
    'c',
  );
}

class Owner implements SessionOwner {
  traffic = false;
  attempts = 0;
  results: { r: ProbeResult; t: Transition; first: boolean; flipped: boolean }[] = [];
  constructor(readonly clock: ManualClock) {}
  hasTraffic(): boolean {
    return this.traffic;
  }
  onAttempt(): void {
    this.attempts++;
  }
  onResult(_s: HealthCheckSession, r: ProbeResult, t: Transition, first: boolean, flipped: boolean): void {
    this.results.push({ r, t, first, flipped });
  }
}

function setup(extra: Partial<EnvoyHealthCheck> = {}, script: Step[] = [], fallback: Step = OK) {
  const clock = new ManualClock();
  const owner = new Owner(clock);
  const probe = new ScriptedProbe(script, fallback);
  const session = new HealthCheckSession(config(extra), probe, owner);
  return { clock, owner, probe, session };
}

async function tick(clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await flush();
}

describe('active health check session', () => {
  it('starts failed and pending, checks at once, and one first success makes the host healthy', async () => {
    const { clock, owner, probe, session } = setup({}, [OK]);
    assert.equal(session.failed, true);
    assert.equal(session.pending, true);
    session.start();
    await flush();
    assert.equal(probe.runs, 1);
    assert.equal(session.failed, false, 'the first success counts at once (Envoy)');
    assert.equal(session.pending, false);
    assert.equal(owner.results[0]!.t, Transition.Changed);
    // No traffic yet: the next check waits the 60 s no-traffic interval.
    assert.deepEqual(clock.pendingDelays(), [60_000]);
  });

  it('counts network failures to unhealthy_threshold, using the edge interval meanwhile', async () => {
    const { clock, owner, session } = setup({ unhealthy_edge_interval: s(0.5), unhealthy_interval: s(2) }, [OK, NET, NET, NET]);
    owner.traffic = true;
    session.start();
    await flush();
    assert.deepEqual(clock.pendingDelays(), [5000], 'healthy: the regular interval');
    await tick(clock, 5000);
    assert.equal(session.failed, false, 'one network failure of three');
    assert.equal(owner.results.at(-1)!.t, Transition.ChangePending);
    assert.deepEqual(clock.pendingDelays(), [500], 'unhealthy_edge_interval while counting');
    await tick(clock, 500);
    assert.equal(session.failed, false);
    await tick(clock, 500);
    assert.equal(session.failed, true, 'the third failure in a row marks it unhealthy');
    assert.equal(owner.results.at(-1)!.t, Transition.Changed);
    assert.deepEqual(clock.pendingDelays(), [2000], 'unhealthy_interval once unhealthy');
  });

  it('a success in between resets the failure count', async () => {
    const { clock, owner, session } = setup({}, [OK, NET, NET, OK, NET, NET]);
    owner.traffic = true;
    session.start();
    await flush();
    for (let i = 0; i < 5; i++) await tick(clock, 5000);
    assert.equal(session.failed, false);
  });

  it('an unexpected answer fails the host at once; a retriable one counts', async () => {
    const a = setup({}, [OK, BAD]);
    a.owner.traffic = true;
    a.session.start();
    await flush();
    await tick(a.clock, 5000);
    assert.equal(a.session.failed, true, 'ACTIVE failure ignores unhealthy_threshold');

    const b = setup({}, [OK, RETRIABLE, RETRIABLE, RETRIABLE]);
    b.owner.traffic = true;
    b.session.start();
    await flush();
    await tick(b.clock, 5000);
    await tick(b.clock, 5000);
    assert.equal(b.session.failed, false);
    await tick(b.clock, 5000);
    assert.equal(b.session.failed, true);
  });

  it('an unhealthy host needs healthy_threshold successes, checked at the healthy edge interval', async () => {
    const { clock, owner, session } = setup({ healthy_edge_interval: s(0.25), unhealthy_interval: s(1) }, [BAD, OK, OK]);
    owner.traffic = true;
    session.start();
    await flush();
    assert.equal(session.failed, true);
    assert.deepEqual(clock.pendingDelays(), [1000]);
    await tick(clock, 1000);
    assert.equal(session.failed, true, 'one success of two');
    assert.deepEqual(clock.pendingDelays(), [250]);
    await tick(clock, 250);
    assert.equal(session.failed, false);
    assert.deepEqual(clock.pendingDelays(), [5000]);
  });

  it('a check that does not answer within the timeout fails as a network timeout and is aborted', async () => {
    const { clock, owner, probe, session } = setup({ unhealthy_threshold: { value: 1 } }, [OK, 'hang']);
    owner.traffic = true;
    session.start();
    await flush();
    await tick(clock, 5000);
    assert.equal(probe.runs, 2);
    await tick(clock, 999);
    assert.equal(session.failed, false);
    await tick(clock, 1);
    assert.equal(probe.aborts, 1);
    assert.equal(session.failed, true);
    assert.equal(session.timedOut, true);
    assert.equal(owner.results.at(-1)!.r.failure, FailureType.Timeout);
  });

  it('waits a random part of initial_jitter before the first check, and adds interval jitter', async () => {
    const { clock, owner, probe, session } = setup({ initial_jitter: s(1), interval_jitter: s(1), interval_jitter_percent: 10 }, [OK, OK]);
    owner.traffic = true;
    clock.randoms = [0.5];
    session.start();
    assert.equal(probe.runs, 0);
    assert.deepEqual(clock.pendingDelays(), [500]);
    await tick(clock, 500);
    assert.equal(probe.runs, 1);
    // 5000 + 0.5 × (10 % of 5000) + 0.25 × 1000
    clock.randoms = [0.5, 0.25];
    await tick(clock, 5000 + 1000);
    assert.equal(probe.runs, 2);
    assert.deepEqual(clock.pendingDelays(), [5000 + 250 + 250]);
  });

  it('uses no_traffic_healthy_interval for healthy hosts and no_traffic_interval otherwise', async () => {
    const a = setup({ no_traffic_interval: s(3), no_traffic_healthy_interval: s(30) }, [OK]);
    a.session.start();
    await flush();
    assert.deepEqual(a.clock.pendingDelays(), [30_000]);
    const b = setup({ no_traffic_interval: s(3), no_traffic_healthy_interval: s(30) }, [NET]);
    b.session.start();
    await flush();
    assert.deepEqual(b.clock.pendingDelays(), [3000]);
  });

  it('stop cancels its timers, closes the probe and releases whoever waits for the first result', async () => {
    const { clock, probe, session } = setup({}, ['hang']);
    session.start();
    const first = session.whenChecked();
    session.stop();
    await first;
    assert.equal(probe.closed, true);
    assert.deepEqual(clock.pendingDelays(), []);
  });
});
