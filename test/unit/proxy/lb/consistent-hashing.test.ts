/** Ring hash and maglev: stickiness, balance, weights, table sizes and disruption when hosts change. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpstreamHost } from '../../../../src/proxy/upstream/host.js';
import { hash53 } from '../../../../src/proxy/upstream/lb/hash.js';
import type { WeightedHost } from '../../../../src/proxy/upstream/lb/hashing-balancer.js';
import { MaglevLoadBalancer, MaglevTable } from '../../../../src/proxy/upstream/lb/maglev.js';
import { Ring, RingHashLoadBalancer } from '../../../../src/proxy/upstream/lb/ring-hash.js';
import { config, host, hosts, hostSet } from './lb-helpers.js';

const KEYS = Array.from({ length: 20_000 }, (_, i) => hash53(`user-${i}`));

function shares(list: readonly UpstreamHost[], pick: (k: number) => UpstreamHost | null): Map<string, number> {
  const out = new Map<string, number>(list.map((h) => [h.hostname!, 0]));
  for (const k of KEYS) {
    const h = pick(k)!;
    out.set(h.hostname!, out.get(h.hostname!)! + 1);
  }
  return out;
}

function equalShares(list: readonly UpstreamHost[]): WeightedHost[] {
  return list.map((h) => ({ host: h, key: h.authority, weight: 1 / list.length }));
}

const balancers = [
  { name: 'ring hash', make: (hs: ReturnType<typeof hostSet>) => new RingHashLoadBalancer(hs, config({ policy: 'RING_HASH' })) },
  { name: 'maglev', make: (hs: ReturnType<typeof hostSet>) => new MaglevLoadBalancer(hs, config({ policy: 'MAGLEV' })) },
];

for (const { name, make } of balancers) {
  describe(name, () => {
    it('sends the same key to the same host, every time and across rebuilds', () => {
      const list = hosts(5, 'k');
      const set = hostSet(list);
      const lb = make(set);
      const first = KEYS.slice(0, 500).map((k) => lb.chooseHost(k));
      assert.deepEqual(KEYS.slice(0, 500).map((k) => lb.chooseHost(k)), first);
      set.refresh();
      assert.deepEqual(KEYS.slice(0, 500).map((k) => lb.chooseHost(k)), first);
      // A balancer built over the same hosts in another order agrees (two proxies, two EDS orders).
      const other = make(hostSet([...list].reverse()));
      assert.deepEqual(KEYS.slice(0, 500).map((k) => other.chooseHost(k)), first);
    });

    it('spreads keys over the hosts', () => {
      const list = hosts(5, 's');
      const lb = make(hostSet(list));
      for (const [h, n] of shares(list, (k) => lb.chooseHost(k))) {
        const share = n / KEYS.length;
        assert.ok(share > 0.1 && share < 0.3, `${h} got ${share}`);
      }
    });

    it('moves only about 1/N of the keys when one of N hosts goes away', () => {
      const list = hosts(10, 'm');
      const set = hostSet(list);
      const lb = make(set);
      const before = KEYS.map((k) => lb.chooseHost(k)!);
      list[3]!.failedActiveHealthCheck = true;
      set.refresh();
      const after = KEYS.map((k) => lb.chooseHost(k)!);
      let moved = 0;
      let movedFromOthers = 0;
      before.forEach((h, i) => {
        if (after[i] !== h) {
          moved++;
          if (h !== list[3]) movedFromOthers++;
        }
        assert.notEqual(after[i], list[3]);
      });
      // The removed host's keys (~1/N) must move; a few more move because the table keeps its size
      // and the remaining hosts take the freed slots (Envoy's ring and maglev do the same). A
      // non-consistent scheme (hash % N) would move ~90% here.
      const fraction = moved / KEYS.length;
      assert.ok(fraction > 0.05 && fraction < 0.25, `${name} moved ${fraction} of the keys`);
      assert.ok(movedFromOthers / KEYS.length < 0.1, `${name}: ${movedFromOthers} keys of other hosts moved`);
    });

    it('hashing a request without a key picks a random host', () => {
      const list = hosts(4, 'n');
      const lb = make(hostSet(list));
      const seen = new Set<string>();
      for (let i = 0; i < 400; i++) seen.add(lb.chooseHost()!.hostname!);
      assert.equal(seen.size, 4);
    });

    it('places hosts by the envoy.lb hash_key metadata when present', () => {
      const a = [host('x', { lb: { hash_key: 'alpha' } }), host('y', { lb: { hash_key: 'beta' } })];
      const b = [host('x', { lb: { hash_key: 'alpha' } }), host('y', { lb: { hash_key: 'beta' } })]; // other addresses
      const la = make(hostSet(a));
      const lb2 = make(hostSet(b));
      for (const k of KEYS.slice(0, 300)) assert.equal(la.chooseHost(k)!.hostname, lb2.chooseHost(k)!.hostname);
    });
  });
}

describe('ring sizes and weights', () => {
  it('builds a ring of at least minimum_ring_size entries, capped by maximum_ring_size', () => {
    const list = hosts(3, 'r');
    const ring = new Ring(equalShares(list), 1024, 8 * 1024 * 1024);
    assert.ok(ring.size >= 1024 && ring.size <= 1030, `ring size ${ring.size}`);
    assert.deepEqual([...ring.entriesPerHost.values()], [342, 342, 342]);
    const capped = new Ring(equalShares(list), 1024, 300);
    assert.equal(capped.size, 300);
  });

  it('gives a weight-2 host twice the ring entries and about twice the keys', () => {
    const list = [host('one', { weight: 1 }), host('two', { weight: 2 })];
    const ring = new Ring(
      list.map((h) => ({ host: h, key: h.authority, weight: h.weight / 3 })),
      1024,
      8 * 1024 * 1024,
    );
    assert.equal(ring.entriesPerHost.get(list[1]!), 2 * ring.entriesPerHost.get(list[0]!)!);
    const two = KEYS.filter((k) => ring.chooseHost(k) === list[1]).length / KEYS.length;
    assert.ok(two > 0.58 && two < 0.75, `weight-2 host got ${two}`);
  });

  it('maglev fills its 65537 slots in proportion to weights (1:2 → 21846 and 43691, as Envoy documents)', () => {
    const list = [host('one', { weight: 1 }), host('two', { weight: 2 })];
    const table = new MaglevTable(
      list.map((h) => ({ host: h, key: h.authority, weight: h.weight / 3 })),
      65537,
    );
    assert.equal(table.entriesPerHost.get(list[0]!), 21846);
    assert.equal(table.entriesPerHost.get(list[1]!), 43691);
  });

  it('maglev gives every host a slot even with extreme weights', () => {
    const list = [host('tiny', { weight: 1 }), host('huge', { weight: 1_000_000 })];
    const table = new MaglevTable(
      list.map((h) => ({ host: h, key: h.authority, weight: h.weight / 1_000_001 })),
      65537,
    );
    assert.ok(table.entriesPerHost.get(list[0]!)! >= 1);
  });

  it('locality weights scale the hosts of each locality', () => {
    const list = [host('x1', { locality: 'x', localityWeight: 1 }), host('y1', { locality: 'y', localityWeight: 3 })];
    const lb = new RingHashLoadBalancer(hostSet(list), config({ policy: 'RING_HASH', localityWeighted: true }));
    const y = KEYS.filter((k) => lb.chooseHost(k) === list[1]).length / KEYS.length;
    assert.ok(y > 0.65 && y < 0.85, `locality y got ${y}`);
  });
});
