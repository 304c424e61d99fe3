/** Slow start: a host that just became usable ramps up over the window (fake clock, exact EDF counts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoadBalancer } from '../../../../src/proxy/upstream/lb/load-balancer.js';
import { LeastRequestLoadBalancer } from '../../../../src/proxy/upstream/lb/least-request.js';
import { RoundRobinLoadBalancer } from '../../../../src/proxy/upstream/lb/round-robin.js';
import { SlowStartHistories, SlowStartHistory } from '../../../../src/proxy/upstream/lb/slow-start.js';
import { HostSet } from '../../../../src/proxy/upstream/host.js';
import { config, countPicks, fakeClock, host } from './lb-helpers.js';

const WINDOW = 10_000;

function setup(aggression = 1, minWeight = 0.1) {
  const clock = fakeClock();
  const old = host('old');
  const fresh = host('new', { unhealthy: true });
  const set = new HostSet([old, fresh]);
  const lb = new RoundRobinLoadBalancer(set, config({ now: clock.now, slowStart: { windowMs: WINDOW, aggression, minWeight } }), new SlowStartHistory());
  return { clock, old, fresh, set, lb };
}

/** The new host's share of `n` picks. */
function share(lb: { chooseHost(): ReturnType<RoundRobinLoadBalancer['chooseHost']> }, n = 1000): number {
  return (countPicks(() => lb.chooseHost(), n).get('new') ?? 0) / n;
}

describe('slow start', () => {
  it('ramps a host that became healthy linearly over the window (aggression 1)', () => {
    const { clock, fresh, set, lb } = setup();
    fresh.edsUnhealthy = false;
    set.refresh();
    // t = 0: the minimum weight, 10% → 0.1 / 1.1 of the picks.
    assert.ok(Math.abs(share(lb, 1100) - 0.1 / 1.1) < 0.01);
    clock.advance(WINDOW / 2); // factor 0.5 → 1/3
    assert.ok(Math.abs(share(lb, 1200) - 1 / 3) < 0.01, `at half the window: ${share(lb, 1200)}`);
    clock.advance(WINDOW); // past the window: equal
    assert.ok(Math.abs(share(lb, 1000) - 0.5) < 0.01);
  });

  it('ramps faster with a higher aggression: (t / window) ^ (1 / aggression)', () => {
    const { clock, fresh, set, lb } = setup(2);
    fresh.edsUnhealthy = false;
    set.refresh();
    clock.advance(WINDOW / 4); // (0.25)^(1/2) = 0.5 → 1/3
    assert.ok(Math.abs(share(lb, 1200) - 1 / 3) < 0.01);
  });

  it('never goes below min_weight_percent', () => {
    const { fresh, set, lb } = setup(1, 0.5);
    fresh.edsUnhealthy = false;
    set.refresh();
    assert.ok(Math.abs(share(lb, 1500) - 1 / 3) < 0.01);
  });

  it('starts over when a host fails and comes back', () => {
    const { clock, fresh, set, lb } = setup();
    fresh.edsUnhealthy = false;
    set.refresh();
    clock.advance(WINDOW * 2);
    assert.ok(Math.abs(share(lb) - 0.5) < 0.01);
    fresh.failedActiveHealthCheck = true;
    set.refresh();
    assert.equal(share(lb), 0);
    fresh.failedActiveHealthCheck = false;
    set.refresh();
    assert.ok(share(lb, 1100) < 0.1, 'back at the minimum weight');
  });

  it('applies to least request too', () => {
    const clock = fakeClock();
    const fresh = host('new', { unhealthy: true });
    const set = new HostSet([host('old'), fresh]);
    const lb = new LeastRequestLoadBalancer(set, config({ policy: 'LEAST_REQUEST', now: clock.now, slowStart: { windowMs: WINDOW, aggression: 1, minWeight: 0.1 } }));
    fresh.edsUnhealthy = false;
    set.refresh();
    clock.advance(WINDOW / 2);
    assert.ok(Math.abs(share(lb, 1200) - 1 / 3) < 0.01);
  });

  it('keeps the ramp across config updates: only hosts new to the cluster start slow', () => {
    const clock = fakeClock();
    const histories = new SlowStartHistories();
    const cluster = {
      name: 'c',
      lb_policy: 'ROUND_ROBIN' as const,
      round_robin_lb_config: { slow_start_config: { slow_start_window: { seconds: '10' } } },
    };
    const build = (names: string[]) =>
      createLoadBalancer(cluster, new HostSet(names.map((n, i) => host(n, { port: 1000 + i }))), {
        history: histories.forCluster('c'),
        config: { now: clock.now },
      });
    // First config: no slow start, the two hosts share equally.
    let lb = build(['a', 'b']);
    assert.deepEqual(Object.fromEntries(countPicks(() => lb.chooseHost(), 100)), { a: 50, b: 50 });
    // A later config adds c (same addresses for a and b): only c ramps.
    clock.advance(1000);
    lb = build(['a', 'b', 'c']);
    const seen = countPicks(() => lb.chooseHost(), 2100);
    assert.equal(seen.get('a'), seen.get('b'));
    assert.ok((seen.get('c') ?? 0) < 150, JSON.stringify(Object.fromEntries(seen)));
  });

  it('is off without a window', () => {
    const cluster = { name: 'c', round_robin_lb_config: { slow_start_config: { slow_start_window: { seconds: '0' } } } };
    const fresh = host('new', { unhealthy: true });
    const set = new HostSet([host('old'), fresh]);
    const lb = createLoadBalancer(cluster, set, { history: new SlowStartHistory() });
    fresh.edsUnhealthy = false;
    set.refresh();
    assert.equal(share(lb, 1000), 0.5);
  });
});
