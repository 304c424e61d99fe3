/** Subset load balancing: selectors, route metadata, fallback policies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toStruct, type Cluster, type LbSubsetConfig } from '../../../../src/xds/envoy-types.js';
import { createLoadBalancer } from '../../../../src/proxy/upstream/lb/load-balancer.js';
import { compileMetadataMatch, type MetadataMatch } from '../../../../src/proxy/upstream/lb/metadata-match.js';
import { countPicks, host, hostSet } from './lb-helpers.js';
import { randomHash } from '../../../../src/proxy/upstream/lb/hash.js';

const match = (v: Record<string, unknown>): MetadataMatch | null => compileMetadataMatch({ filter_metadata: { 'envoy.lb': toStruct(v) } });

function cluster(subset: LbSubsetConfig, policy: Cluster['lb_policy'] = 'ROUND_ROBIN'): Cluster {
  return { name: 'c', lb_policy: policy, lb_subset_config: subset };
}

function fleet() {
  return [
    host('v1a', { lb: { version: 'v1', stage: 'prod' } }),
    host('v1b', { lb: { version: 'v1', stage: 'prod' } }),
    host('v2a', { lb: { version: 'v2', stage: 'canary' } }),
    host('bare'),
  ];
}

const picks = (lb: ReturnType<typeof createLoadBalancer>, m: MetadataMatch | null, n = 60) =>
  Object.fromEntries(countPicks(() => lb.chooseHost(lb.usesHash ? randomHash() : undefined, m), n));

describe('subset load balancer', () => {
  it('routes a request to the hosts whose envoy.lb metadata match the route', () => {
    const lb = createLoadBalancer(cluster({ fallback_policy: 'ANY_ENDPOINT', subset_selectors: [{ keys: ['version'] }, { keys: ['version', 'stage'] }] }), hostSet(fleet()));
    assert.deepEqual(picks(lb, match({ version: 'v1' })), { v1a: 30, v1b: 30 });
    assert.deepEqual(picks(lb, match({ version: 'v2' })), { v2a: 60 });
    assert.deepEqual(picks(lb, match({ stage: 'prod', version: 'v1' })), { v1a: 30, v1b: 30 });
  });

  it('works with a hashing policy inside the subset', () => {
    const lb = createLoadBalancer(cluster({ subset_selectors: [{ keys: ['version'] }] }, 'MAGLEV'), hostSet(fleet()));
    assert.equal(lb.usesHash, true);
    const only = Object.keys(picks(lb, match({ version: 'v1' }), 200)).sort();
    assert.deepEqual(only, ['v1a', 'v1b']);
    const k = randomHash();
    assert.equal(lb.chooseHost(k, match({ version: 'v1' })), lb.chooseHost(k, match({ version: 'v1' })));
  });

  it('NO_FALLBACK: no host for a request without a subset, an unknown value, or keys no selector has', () => {
    const lb = createLoadBalancer(cluster({ fallback_policy: 'NO_FALLBACK', subset_selectors: [{ keys: ['version'] }] }), hostSet(fleet()));
    assert.deepEqual(picks(lb, match({ version: 'v3' }), 5), { null: 5 });
    assert.deepEqual(picks(lb, null, 5), { null: 5 });
    assert.deepEqual(picks(lb, match({ stage: 'prod' }), 5), { null: 5 });
    // Envoy's default fallback policy is NO_FALLBACK too.
    const dflt = createLoadBalancer(cluster({ subset_selectors: [{ keys: ['version'] }] }), hostSet(fleet()));
    assert.deepEqual(picks(dflt, match({ version: 'v3' }), 5), { null: 5 });
  });

  it('ANY_ENDPOINT balances over every host', () => {
    const lb = createLoadBalancer(cluster({ fallback_policy: 'ANY_ENDPOINT', subset_selectors: [{ keys: ['version'] }] }), hostSet(fleet()));
    assert.deepEqual(picks(lb, match({ version: 'v3' }), 40), { v1a: 10, v1b: 10, v2a: 10, bare: 10 });
  });

  it('DEFAULT_SUBSET balances over the hosts matching default_subset; without any it is NO_FALLBACK', () => {
    const lb = createLoadBalancer(
      cluster({ fallback_policy: 'DEFAULT_SUBSET', default_subset: toStruct({ stage: 'canary' }), subset_selectors: [{ keys: ['version'] }] }),
      hostSet(fleet()),
    );
    assert.deepEqual(picks(lb, match({ version: 'v3' }), 10), { v2a: 10 });
    const none = createLoadBalancer(
      cluster({ fallback_policy: 'DEFAULT_SUBSET', default_subset: toStruct({ stage: 'qa' }), subset_selectors: [{ keys: ['version'] }] }),
      hostSet(fleet()),
    );
    assert.deepEqual(picks(none, null, 5), { null: 5 });
  });

  it('a subset with hosts answers even when they are all unhealthy (panic, or 503 with threshold 0)', () => {
    const list = fleet();
    const set = hostSet(list);
    const lb = createLoadBalancer(cluster({ fallback_policy: 'ANY_ENDPOINT', subset_selectors: [{ keys: ['version'] }] }), set);
    list[2]!.failedActiveHealthCheck = true;
    set.refresh();
    assert.deepEqual(picks(lb, match({ version: 'v2' }), 5), { v2a: 5 }, 'panic inside the subset');
    const strict = createLoadBalancer(
      { ...cluster({ fallback_policy: 'ANY_ENDPOINT', subset_selectors: [{ keys: ['version'] }] }), common_lb_config: { healthy_panic_threshold: { value: 0 } } },
      set,
    );
    assert.deepEqual(picks(strict, match({ version: 'v2' }), 5), { null: 5 });
    // Health changes reach the subsets through the parent's refresh.
    list[2]!.failedActiveHealthCheck = false;
    set.refresh();
    assert.deepEqual(picks(strict, match({ version: 'v2' }), 5), { v2a: 5 });
  });

  it('per-selector fallback policies, KEYS_SUBSET and panic_mode_any', () => {
    const lb = createLoadBalancer(
      cluster({
        fallback_policy: 'NO_FALLBACK',
        subset_selectors: [
          { keys: ['version'], fallback_policy: 'ANY_ENDPOINT' },
          { keys: ['version', 'stage'], fallback_policy: 'KEYS_SUBSET', fallback_keys_subset: ['stage'] },
          { keys: ['stage'] },
        ],
      }),
      hostSet(fleet()),
    );
    assert.equal(Object.keys(picks(lb, match({ version: 'v9' }), 40)).length, 4);
    assert.deepEqual(picks(lb, match({ version: 'v9', stage: 'prod' }), 10), { v1a: 5, v1b: 5 });
    assert.deepEqual(picks(lb, match({ stage: 'qa' }), 3), { null: 3 });
    const panicAny = createLoadBalancer(cluster({ fallback_policy: 'NO_FALLBACK', panic_mode_any: true, subset_selectors: [{ keys: ['version'] }] }), hostSet(fleet()));
    assert.equal(Object.keys(picks(panicAny, match({ version: 'v9' }), 40)).length, 4);
  });

  it('single_host_per_subset keeps one host per subset', () => {
    const lb = createLoadBalancer(cluster({ subset_selectors: [{ keys: ['version'], single_host_per_subset: true }] }), hostSet(fleet()));
    assert.deepEqual(picks(lb, match({ version: 'v1' }), 6), { v1a: 6 });
  });

  it('compares typed values: the string "1" is not the number 1', () => {
    const list = [host('n', { lb: { rev: 1 } }), host('s', { lb: { rev: '1' } })];
    const lb = createLoadBalancer(cluster({ subset_selectors: [{ keys: ['rev'] }] }), hostSet(list));
    assert.deepEqual(picks(lb, match({ rev: 1 }), 4), { n: 4 });
    assert.deepEqual(picks(lb, match({ rev: '1' }), 4), { s: 4 });
  });

  it('merges a weighted cluster metadata_match over the route one', () => {
    const m = compileMetadataMatch(
      { filter_metadata: { 'envoy.lb': toStruct({ stage: 'prod', version: 'v1' }) } },
      { filter_metadata: { 'envoy.lb': toStruct({ version: 'v2' }) } },
    );
    assert.deepEqual(m!.entries, [
      ['stage', 's:prod'],
      ['version', 's:v2'],
    ]);
    assert.equal(compileMetadataMatch(undefined), null);
  });
});
