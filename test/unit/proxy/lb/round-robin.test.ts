import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoundRobinLoadBalancer } from '../../../../src/proxy/upstream/lb/round-robin.js';
import { RandomLoadBalancer } from '../../../../src/proxy/upstream/lb/random.js';
import { assertShare, config, countPicks, host, hosts, hostSet } from './lb-helpers.js';

describe('round robin', () => {
  it('rotates in order over equal weights', () => {
    const lb = new RoundRobinLoadBalancer(hostSet(hosts(3, 'r')));
    assert.deepEqual(
      Array.from({ length: 7 }, () => lb.chooseHost()!.hostname),
      ['r0', 'r1', 'r2', 'r0', 'r1', 'r2', 'r0'],
    );
  });

  it('gives each host exactly its weight in every cycle of the EDF schedule, interleaved', () => {
    const lb = new RoundRobinLoadBalancer(hostSet([host('a', { weight: 1 }), host('b', { weight: 2 }), host('c', { weight: 3 })]));
    for (let cycle = 0; cycle < 5; cycle++) {
      const seen = countPicks(() => lb.chooseHost(), 6);
      assert.deepEqual(Object.fromEntries(seen), { a: 1, b: 2, c: 3 }, `cycle ${cycle}`);
    }
    // Interleaved, not bunched: the weight-3 host is never picked three times in a row.
    const seq = Array.from({ length: 60 }, () => lb.chooseHost()!.hostname).join('');
    assert.ok(!seq.includes('ccc'), seq);
  });

  it('uses only the healthy hosts of the weighted schedule and rebuilds on refresh', () => {
    const list = [host('a', { weight: 1 }), host('b', { weight: 5 }), host('c', { weight: 1 })];
    const set = hostSet(list);
    const lb = new RoundRobinLoadBalancer(set);
    list[1]!.failedActiveHealthCheck = true;
    set.refresh();
    assert.deepEqual(Object.fromEntries(countPicks(() => lb.chooseHost(), 10)), { a: 5, c: 5 });
  });
});

describe('random', () => {
  it('picks uniformly among usable hosts and, as Envoy, ignores endpoint weights', () => {
    const lb = new RandomLoadBalancer(hostSet([host('a', { weight: 1 }), host('b', { weight: 9 }), host('c', { weight: 1, unhealthy: true }), host('d')]));
    const n = 30_000;
    const seen = countPicks(() => lb.chooseHost(), n);
    assert.equal(seen.get('c'), undefined);
    for (const k of ['a', 'b', 'd']) assertShare(seen.get(k) ?? 0, n, 1 / 3, `random share of ${k}`);
  });

  it('still follows locality weights', () => {
    const list = [host('x', { locality: 'r/x/', localityWeight: 1 }), host('y', { locality: 'r/y/', localityWeight: 3 })];
    const lb = new RandomLoadBalancer(hostSet(list), config({ localityWeighted: true }));
    const n = 20_000;
    assertShare(countPicks(() => lb.chooseHost(), n).get('y') ?? 0, n, 0.75, 'locality y');
  });
});
