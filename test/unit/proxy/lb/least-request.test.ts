import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeastRequestLoadBalancer } from '../../../../src/proxy/upstream/lb/least-request.js';
import { assertShare, config, countPicks, host, hosts, hostSet } from './lb-helpers.js';

describe('least request', () => {
  it('prefers idle hosts: with two choices a busy host wins only when both draws land on it', () => {
    const [busy, idle] = [host('busy'), host('idle')];
    busy.activeRequests = 5;
    const lb = new LeastRequestLoadBalancer(hostSet([busy, idle]));
    const n = 20_000;
    assertShare(countPicks(() => lb.chooseHost(), n).get('busy') ?? 0, n, 1 / 4, 'busy host with choice_count 2');
  });

  it('more choices make a busy host rarer (choice_count 4 → 1/16)', () => {
    const list = [host('busy'), host('idle')];
    list[0]!.activeRequests = 1;
    const lb = new LeastRequestLoadBalancer(hostSet(list), config({ policy: 'LEAST_REQUEST', choiceCount: 4 }));
    const n = 40_000;
    assertShare(countPicks(() => lb.chooseHost(), n).get('busy') ?? 0, n, 1 / 16, 'busy host with choice_count 4');
  });

  it('always picks the idle host among busy ones when every draw can see it (many choices)', () => {
    const list = hosts(2, 'l');
    list[0]!.activeRequests = 3;
    const lb = new LeastRequestLoadBalancer(hostSet(list), config({ policy: 'LEAST_REQUEST', choiceCount: 40 }));
    assert.equal(countPicks(() => lb.chooseHost(), 500).get('l0') ?? 0, 0);
  });

  it('with unequal weights uses weight / (active + 1) ^ bias', () => {
    // a: weight 2, 3 active → 0.5; b: weight 1, idle → 1: b gets twice a's share.
    const a = host('a', { weight: 2 });
    const b = host('b', { weight: 1 });
    a.activeRequests = 3;
    const lb = new LeastRequestLoadBalancer(hostSet([a, b]));
    const seen = countPicks(() => lb.chooseHost(), 3000);
    assert.ok(Math.abs((seen.get('b') ?? 0) - 2000) <= 2, JSON.stringify(Object.fromEntries(seen)));
    // Bias 0: active requests are ignored, weights alone decide (a gets 2/3).
    const flat = new LeastRequestLoadBalancer(hostSet([a, b]), config({ policy: 'LEAST_REQUEST', activeRequestBias: 0 }));
    assert.ok(Math.abs((countPicks(() => flat.chooseHost(), 3000).get('a') ?? 0) - 2000) <= 2);
  });

  it('re-reads the active requests at every pick of the weighted schedule', () => {
    const a = host('a', { weight: 3 });
    const b = host('b', { weight: 1 });
    const lb = new LeastRequestLoadBalancer(hostSet([a, b]));
    assert.equal(countPicks(() => lb.chooseHost(), 400).get('a'), 300);
    // a becomes busy: each time it is picked it is re-queued with weight 3 / 101 (b: 1), so it gets
    // about 3% of the picks instead of 75%.
    a.activeRequests = 100;
    const after = countPicks(() => lb.chooseHost(), 200);
    assert.ok((after.get('a') ?? 0) <= 10, JSON.stringify(Object.fromEntries(after)));
  });
});
