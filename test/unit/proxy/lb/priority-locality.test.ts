/** Envoy's priority loads, panic threshold and locality weighting, as numbers and as traffic. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpstreamHost } from '../../../../src/proxy/upstream/host.js';
import { buildPriorityState } from '../../../../src/proxy/upstream/lb/priority-state.js';
import { createLoadBalancer } from '../../../../src/proxy/upstream/lb/load-balancer.js';
import { RoundRobinLoadBalancer } from '../../../../src/proxy/upstream/lb/round-robin.js';
import { assertShare, config, countPicks, host, hosts, hostSet } from './lb-helpers.js';

const plain = (hs: readonly UpstreamHost[]) => ({ hosts: hs, rr: 0, edf: null });

function level(n: number, healthy: number, priority: number, prefix: string): UpstreamHost[] {
  const list = hosts(n, prefix, { priority });
  for (let i = healthy; i < n; i++) list[i]!.edsUnhealthy = true;
  return list;
}

describe('priority load', () => {
  it('keeps all load on a level that is healthy enough after overprovisioning', () => {
    const s = buildPriorityState([...level(10, 8, 0, 'a'), ...level(4, 4, 1, 'b')], config(), plain);
    assert.deepEqual(s.load, [100, 0]);
    assert.deepEqual(s.levels.map((l) => l.health), [100, 100]);
  });

  it('spills the missing health to the next level', () => {
    // 7/10 healthy → floor(140 × 0.7) = 98 → P0 98%, P1 2%.
    assert.deepEqual(buildPriorityState([...level(10, 7, 0, 'a'), ...level(2, 2, 1, 'b')], config(), plain).load, [98, 2]);
    // 3/10 healthy → 42; P1 half healthy → 70; total 112 → capped at 100: P0 42, P1 58.
    assert.deepEqual(buildPriorityState([...level(10, 3, 0, 'a'), ...level(2, 1, 1, 'b')], config(), plain).load, [42, 58]);
  });

  it('normalises when the levels together are less than 100% healthy', () => {
    // P0 2/10 → 28, P1 2/4 → 70: total 98 → P0 floor(28×100/98)=28, P1 floor(70×100/98)=71, and the
    // rounding leftover goes to the first level with health. P0 (20% healthy) is in panic, P1 (50%) not.
    const s = buildPriorityState([...level(10, 2, 0, 'a'), ...level(4, 2, 1, 'b')], config(), plain);
    assert.deepEqual(s.load, [29, 71]);
    assert.deepEqual(s.levels.map((l) => l.panic), [true, false]);
  });

  it('uses another overprovisioning factor from the load assignment policy', () => {
    const hs = [...level(10, 7, 0, 'a'), ...level(2, 2, 1, 'b')];
    assert.deepEqual(buildPriorityState(hs, config({ overprovisioningFactor: 100 }), plain).load, [70, 30]);
  });

  it('counts weights instead of hosts with weighted_priority_health', () => {
    const p0 = [host('heavy', { weight: 9 }), host('light', { weight: 1, unhealthy: true })];
    const p1 = [host('b', { priority: 1 })];
    assert.deepEqual(buildPriorityState([...p0, ...p1], config(), plain).load, [70, 30]);
    assert.deepEqual(buildPriorityState([...p0, ...p1], config({ weightedPriorityHealth: true }), plain).load, [100, 0]);
  });

  it('in total panic spreads load by host count, health aside', () => {
    const s = buildPriorityState([...level(6, 0, 0, 'a'), ...level(2, 0, 1, 'b')], config(), plain);
    assert.deepEqual(s.load, [75, 25]);
    assert.ok(s.levels.every((l) => l.panic));
  });

  it('sends the spilled share to the lower priority, statistically', () => {
    const lb = new RoundRobinLoadBalancer(hostSet([...level(10, 3, 0, 'a'), ...level(2, 1, 1, 'b')]));
    const n = 20_000;
    const seen = countPicks(() => lb.chooseHost(), n);
    let p1 = 0;
    for (const [k, v] of seen) if (k.startsWith('b')) p1 += v;
    assertShare(p1, n, 0.58, 'priority 1');
  });
});

describe('healthy panic threshold', () => {
  it('panics a level below the threshold unless the cluster as a whole is 100% healthy', () => {
    // P0 at 40% healthy but P1 fully healthy: total health 100 → no panic, spill instead.
    const s = buildPriorityState([...level(10, 4, 0, 'a'), ...level(3, 3, 1, 'b')], config(), plain);
    assert.deepEqual(s.levels.map((l) => l.panic), [false, false]);
    assert.deepEqual(s.load, [56, 44]);
    // Alone, the same level panics and uses all of its hosts.
    const alone = buildPriorityState(level(10, 4, 0, 'a'), config(), plain);
    assert.equal(alone.levels[0]!.panic, true);
    assert.equal(alone.levels[0]!.source.hosts.length, 10);
  });

  it('follows the configured threshold', () => {
    const list = level(10, 4, 0, 'a');
    assert.equal(buildPriorityState(list, config({ panicThreshold: 40 }), plain).levels[0]!.panic, false);
    assert.equal(buildPriorityState(list, config({ panicThreshold: 41 }), plain).levels[0]!.panic, true);
    assert.equal(buildPriorityState(list, config({ panicThreshold: 0 }), plain).levels[0]!.panic, false);
  });

  it('is read from common_lb_config.healthy_panic_threshold', () => {
    const list = level(10, 4, 0, 'a');
    const lb = createLoadBalancer({ name: 'c', common_lb_config: { healthy_panic_threshold: { value: 30 } } }, hostSet(list));
    const seen = countPicks(() => lb.chooseHost(), 500);
    for (let i = 4; i < 10; i++) assert.equal(seen.get(`a${i}`), undefined);
  });
});

describe('locality weighted balancing', () => {
  it('splits by locality weight, then among the hosts of the locality', () => {
    const list = [
      host('x0', { locality: 'eu/x/', localityWeight: 1 }),
      host('y0', { locality: 'eu/y/', localityWeight: 2 }),
      host('y1', { locality: 'eu/y/', localityWeight: 2 }),
    ];
    const lb = new RoundRobinLoadBalancer(hostSet(list), config({ localityWeighted: true }));
    assert.deepEqual(Object.fromEntries(countPicks(() => lb.chooseHost(), 300)), { x0: 100, y0: 100, y1: 100 });
    // Without locality weighting the three hosts are equal.
    const flat = new RoundRobinLoadBalancer(hostSet(list));
    assert.deepEqual(Object.fromEntries(countPicks(() => flat.chooseHost(), 300)), { x0: 100, y0: 100, y1: 100 });
    const skewed = [host('x', { locality: 'x', localityWeight: 1 }), host('y', { locality: 'y', localityWeight: 3 })];
    const lb2 = new RoundRobinLoadBalancer(hostSet(skewed), config({ localityWeighted: true }));
    assert.deepEqual(Object.fromEntries(countPicks(() => lb2.chooseHost(), 400)), { x: 100, y: 300 });
  });

  it('scales a locality by its health (overprovisioned) and skips one without healthy hosts', () => {
    const y = [host('y0', { locality: 'y', localityWeight: 2 }), host('y1', { locality: 'y', localityWeight: 2, unhealthy: true })];
    const x = [host('x0', { locality: 'x', localityWeight: 1 })];
    // y: 2 × min(1, 1.4 × 0.5) = 1.4 against x: 1.
    const lb = new RoundRobinLoadBalancer(hostSet([...x, ...y]), config({ localityWeighted: true }));
    const seen = countPicks(() => lb.chooseHost(), 2400);
    assert.ok(Math.abs((seen.get('y0') ?? 0) - 1400) <= 2, JSON.stringify(Object.fromEntries(seen)));
    assert.equal(seen.get('y1'), undefined);
    x[0]!.edsUnhealthy = true;
    const onlyY = new RoundRobinLoadBalancer(hostSet([...x, ...y]), config({ localityWeighted: true, panicThreshold: 0 }));
    assert.deepEqual(Object.fromEntries(countPicks(() => onlyY.chooseHost(), 10)), { y0: 10 });
  });

  it('ignores localities without weight', () => {
    const list = [host('x', { locality: 'x', localityWeight: 0 }), host('y', { locality: 'y', localityWeight: 1 })];
    const lb = new RoundRobinLoadBalancer(hostSet(list), config({ localityWeighted: true }));
    assert.deepEqual(Object.fromEntries(countPicks(() => lb.chooseHost(), 10)), { y: 10 });
  });
});
