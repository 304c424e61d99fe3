/**
 * One contract for every balancer (STYLE 16): empty sets, health, refresh, panic, priority spill and
 * the weighted split, run against round robin, least request, random, ring hash and maglev alike.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostSet } from '../../../../src/proxy/upstream/host.js';
import type { LbConfig, LbPolicy } from '../../../../src/proxy/upstream/lb/lb-config.js';
import { createLoadBalancer, type LoadBalancer } from '../../../../src/proxy/upstream/lb/load-balancer.js';
import { randomHash } from '../../../../src/proxy/upstream/lb/hash.js';
import { assertShare, config, countPicks, host, hosts, hostSet } from './lb-helpers.js';

const POLICIES: LbPolicy[] = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'MAGLEV'];

function make(policy: LbPolicy, set: HostSet, over: Partial<LbConfig> = {}): LoadBalancer {
  return createLoadBalancer(policy, set, { config: config({ policy, ...over }) });
}

/** A pick as the router makes it: hashing balancers get a fresh random key per request. */
function pick(lb: LoadBalancer) {
  return lb.usesHash === true ? lb.chooseHost(randomHash()) : lb.chooseHost();
}

for (const policy of POLICIES) {
  describe(`load balancer contract: ${policy}`, () => {
    it('returns null for a cluster without hosts', () => {
      assert.equal(pick(make(policy, hostSet([]))), null);
    });

    it('picks only usable hosts while enough of them are healthy, and follows refresh()', () => {
      const list = hosts(4, 'c');
      const set = hostSet(list);
      const lb = make(policy, set);
      list[0]!.failedActiveHealthCheck = true;
      set.refresh();
      const seen = countPicks(() => pick(lb), 600);
      assert.equal(seen.get('c0'), undefined, `${policy} picked an unhealthy host`);
      assert.deepEqual([...seen.keys()].sort(), ['c1', 'c2', 'c3']);
      list[0]!.failedActiveHealthCheck = false;
      set.refresh();
      assert.ok((countPicks(() => pick(lb), 600).get('c0') ?? 0) > 0, 'a host that recovered gets traffic again');
    });

    it('panics below the healthy panic threshold: all hosts of the level are used', () => {
      const list = hosts(10, 'p');
      for (let i = 0; i < 6; i++) list[i]!.edsUnhealthy = true; // 40% healthy < 50%
      const lb = make(policy, hostSet(list));
      const seen = countPicks(() => pick(lb), 3000);
      assert.ok([0, 1, 2, 3, 4, 5].some((i) => (seen.get(`p${i}`) ?? 0) > 0), 'unhealthy hosts get traffic in panic');
      const strict = make(policy, hostSet(list), { panicThreshold: 30 }); // 40% ≥ 30%: no panic
      const strictSeen = countPicks(() => pick(strict), 3000);
      for (let i = 0; i < 6; i++) assert.equal(strictSeen.get(`p${i}`), undefined);
    });

    it('answers null when nothing is usable and the panic threshold is 0', () => {
      const list = hosts(3, 'z', { unhealthy: true });
      assert.equal(pick(make(policy, hostSet(list), { panicThreshold: 0 })), null);
      assert.notEqual(pick(make(policy, hostSet(list))), null, 'with the default threshold the cluster panics');
    });

    it('spills load to the next priority as the first one loses health (overprovisioning 1.4)', () => {
      // P0: 10 hosts, 5 healthy → health min(100, 1.4 × 50%) = 70 → 70% stays, 30% spills to P1.
      const p0 = hosts(10, 'a', { priority: 0 });
      for (let i = 0; i < 5; i++) p0[i]!.edsUnhealthy = true;
      const p1 = hosts(4, 'b', { priority: 1 });
      const lb = make(policy, hostSet([...p0, ...p1]));
      const n = 20_000;
      const seen = countPicks(() => pick(lb), n);
      let inP1 = 0;
      for (const [k, v] of seen) if (k.startsWith('b')) inP1 += v;
      assertShare(inP1, n, 0.3, `${policy}: share of priority 1`);
      for (let i = 0; i < 5; i++) assert.equal(seen.get(`a${i}`), undefined);
    });

    it('keeps everything on priority 0 while it has enough healthy hosts', () => {
      const p0 = hosts(10, 'a', { priority: 0 });
      for (let i = 0; i < 2; i++) p0[i]!.edsUnhealthy = true; // 80% × 1.4 ≥ 100%
      const lb = make(policy, hostSet([...p0, host('b0', { priority: 1 })]));
      assert.equal(countPicks(() => pick(lb), 2000).get('b0'), undefined);
    });

    if (policy !== 'RANDOM') {
      it('splits by endpoint weight', () => {
        const lb = make(policy, hostSet([host('w1', { weight: 1 }), host('w3', { weight: 3 })]));
        const n = 20_000;
        const w3 = countPicks(() => pick(lb), n).get('w3') ?? 0;
        if (policy === 'RING_HASH' || policy === 'MAGLEV') {
          // Consistent hashing approximates the weights through table positions.
          assert.ok(w3 / n > 0.65 && w3 / n < 0.85, `${policy}: weight-3 host got ${w3 / n}`);
        } else assertShare(w3, n, 0.75, `${policy}: weight-3 host`);
      });
    }
  });
}
