/**
 * Load balancing end to end, with real upstream servers:
 * - `gloo run` with Gloo YAML: endpoint weights split traffic (`loadBalancingWeight`), a ring hash
 *   upstream keeps each `x-user` on one host (`lbHash` header), a maglev upstream generates a
 *   `Set-Cookie` for a client without the cookie and then keeps that client on one host;
 * - the gateway-proxy fed Envoy resources directly: subsets chosen by endpoint metadata
 *   (`lb_subset_config` + `metadata_match`), with DEFAULT_SUBSET and NO_FALLBACK (503) fallbacks and
 *   a weighted split between two subsets of one cluster.
 * (Gloo puts `subsetSpec` on kube upstreams only, whose endpoints gloo-ts does not discover yet, so
 * the subset cases drive the data plane with the Envoy resources the translator emits for them.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, request } from 'undici';
import { toStruct, type Cluster } from '../../src/xds/envoy-types.js';
import { getFreePort, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { httpListener, routeConfig, snapshot, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

/** Which upstream answered (the upstream servers name themselves in `x-upstream-name`). */
async function whoAnswers(url: string, headers: Record<string, string> = {}): Promise<{ status: number; name: string; setCookie: string[]; text: string }> {
  const r = await request(url, { headers });
  const text = await r.body.text();
  const sc = r.headers['set-cookie'];
  return {
    status: r.statusCode,
    name: String(r.headers['x-upstream-name'] ?? ''),
    setCookie: sc === undefined ? [] : Array.isArray(sc) ? sc : [sc],
    text,
  };
}

/** 6-sigma bounds for a binomial count (a false failure has odds below one in 10^8). */
function assertShare(count: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(count - n * p) <= 6 * sd, `${what}: ${count} of ${n}, expected about ${n * p}`);
}

describe('load balancing through gloo run (e2e)', () => {
  let gloo: GlooProcess;
  let servers: UpstreamServer[];
  let port: number;
  let base: string;

  before(async () => {
    servers = await Promise.all(['a', 'b', 'c'].map((n) => UpstreamServer.start(n)));
    const [a, b] = servers;
    port = await getFreePort();
    base = `http://127.0.0.1:${port}`;
    const dir = makeConfigDir();
    writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', port));
    const hosts = (weights?: number[]) =>
      servers.map((s, i) => `    - addr: 127.0.0.1\n      port: ${s.port}\n${weights ? `      loadBalancingWeight: ${weights[i]}\n` : ''}`).join('');
    writeConfig(
      dir,
      'upstreams/gloo-system/lb.yaml',
      `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: weighted, namespace: gloo-system}
spec:
  static:
    hosts:
    - addr: 127.0.0.1
      port: ${a!.port}
      loadBalancingWeight: 1
    - addr: 127.0.0.1
      port: ${b!.port}
      loadBalancingWeight: 3
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: ring, namespace: gloo-system}
spec:
  loadBalancerConfig: {ringHash: {ringHashConfig: {minimumRingSize: 1024}}}
  static:
    hosts:
${hosts()}---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: maglev, namespace: gloo-system}
spec:
  loadBalancerConfig: {maglev: {}}
  static:
    hosts:
${hosts()}`,
    );
    writeConfig(
      dir,
      'virtualservices/gloo-system/lb.yaml',
      `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: lb, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{prefix: /weights}]
      routeAction: {single: {upstream: {name: weighted}}}
    - matchers: [{prefix: /sticky}]
      options:
        lbHash: {hashPolicies: [{header: x-user}]}
      routeAction: {single: {upstream: {name: ring}}}
    - matchers: [{prefix: /cookie}]
      options:
        lbHash: {hashPolicies: [{cookie: {name: lbsession, ttl: 60s, path: /cookie}}]}
      routeAction: {single: {upstream: {name: maglev}}}
    - matchers: [{prefix: /unhashed}]
      routeAction: {single: {upstream: {name: ring}}}
`,
    );
    gloo = await startGloo(dir);
    await waitFor('the routes to be served', async () => (await whoAnswers(`${base}/cookie`, { cookie: 'lbsession=x' })).status === 200);
  });

  after(async () => {
    await gloo?.stop();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('splits by loadBalancingWeight (1:3)', async () => {
    const n = 400;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const r = await whoAnswers(`${base}/weights/${i}`);
      assert.equal(r.status, 200);
      assert.ok(r.name === 'a' || r.name === 'b', r.name);
      if (r.name === 'b') b++;
    }
    assertShare(b, n, 0.75, 'weight-3 host');
  });

  it('keeps each x-user on one host with a ring hash, and spreads users over the hosts', async () => {
    const hostOf = new Map<string, string>();
    for (let round = 0; round < 4; round++) {
      for (let u = 0; u < 30; u++) {
        const r = await whoAnswers(`${base}/sticky/${round}`, { 'x-user': `user-${u}` });
        assert.equal(r.status, 200);
        const seen = hostOf.get(`user-${u}`);
        if (seen === undefined) hostOf.set(`user-${u}`, r.name);
        else assert.equal(r.name, seen, `user-${u} moved from ${seen} to ${r.name}`);
      }
    }
    assert.ok(new Set(hostOf.values()).size >= 2, `30 users all on ${[...new Set(hostOf.values())]}`);
    // Without a hash key the ring picks at random: every host shows up.
    const unhashed = new Set<string>();
    for (let i = 0; i < 60; i++) unhashed.add((await whoAnswers(`${base}/unhashed`)).name);
    assert.equal(unhashed.size, 3);
  });

  it('generates the hash cookie for a new client, then keeps the client on one host', async () => {
    const first = await whoAnswers(`${base}/cookie/start`);
    assert.equal(first.status, 200);
    assert.equal(first.setCookie.length, 1, JSON.stringify(first.setCookie));
    const m = /^lbsession="([0-9a-f]{16})"; Max-Age=60; Path=\/cookie; HttpOnly$/.exec(first.setCookie[0]!);
    assert.ok(m, first.setCookie[0]);
    const cookie = `lbsession="${m[1]}"`;
    // Each follow-up on a new connection: the cookie alone keeps the client on the first host.
    for (let i = 0; i < 15; i++) {
      const client = new Client(base);
      try {
        const r = await client.request({ path: `/cookie/${i}`, method: 'GET', headers: { cookie } });
        await r.body.text();
        assert.equal(r.statusCode, 200);
        assert.equal(String(r.headers['x-upstream-name']), first.name, `request ${i}`);
        assert.equal(r.headers['set-cookie'], undefined, 'no new cookie once the client has one');
      } finally {
        await client.close();
      }
    }
    // Other clients (other cookie values) land on other hosts too.
    const names = new Set<string>();
    for (let i = 0; i < 40; i++) names.add((await whoAnswers(`${base}/cookie/x`, { cookie: `lbsession=v${i}` })).name);
    assert.ok(names.size >= 2);
  });
});

describe('subsets in the gateway-proxy (e2e)', () => {
  let h: ProxyHarness;
  let servers: UpstreamServer[];
  let base: string;

  const subsetCluster = (name: string, fallback: 'DEFAULT_SUBSET' | 'NO_FALLBACK'): Cluster => ({
    name,
    type: 'STATIC',
    connect_timeout: { seconds: '5', nanos: 0 },
    lb_policy: 'ROUND_ROBIN',
    lb_subset_config: {
      fallback_policy: fallback,
      default_subset: toStruct({ version: 'v1' }),
      subset_selectors: [{ keys: ['version'] }],
    },
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: servers.map((s, i) => ({
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: s.port } } },
            metadata: { filter_metadata: { 'envoy.lb': toStruct({ version: i < 2 ? 'v1' : 'v2' }) } },
          })),
        },
      ],
    },
  });
  const match = (version: string) => ({ filter_metadata: { 'envoy.lb': toStruct({ version }) } });

  before(async () => {
    servers = await Promise.all(['v1-a', 'v1-b', 'v2-c'].map((n) => UpstreamServer.start(n)));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [httpListener(`listener-127.0.0.1-${port}`, '127.0.0.1', port, 'routes')],
        clusters: [subsetCluster('pods_default', 'DEFAULT_SUBSET'), subsetCluster('strict_default', 'NO_FALLBACK')],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              { match: { prefix: '/v2' }, route: { cluster: 'pods_default', metadata_match: match('v2') } },
              { match: { prefix: '/v1' }, route: { cluster: 'pods_default', metadata_match: match('v1') } },
              { match: { prefix: '/v9' }, route: { cluster: 'pods_default', metadata_match: match('v9') } },
              { match: { prefix: '/strict-v9' }, route: { cluster: 'strict_default', metadata_match: match('v9') } },
              { match: { prefix: '/strict-v2' }, route: { cluster: 'strict_default', metadata_match: match('v2') } },
              {
                match: { prefix: '/split' },
                route: {
                  weighted_clusters: {
                    clusters: [
                      { name: 'pods_default', weight: { value: 50 }, metadata_match: match('v1') },
                      { name: 'pods_default', weight: { value: 50 }, metadata_match: match('v2') },
                    ],
                  },
                },
              },
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  const names = async (path: string, n: number): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const r = await whoAnswers(`${base}${path}`);
      const k = r.status === 200 ? r.name : `${r.status} ${r.text}`;
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  };

  it('routes to the hosts whose metadata match the route', async () => {
    assert.deepEqual(Object.fromEntries(await names('/v2', 10)), { 'v2-c': 10 });
    assert.deepEqual([...(await names('/v1', 10)).keys()].sort(), ['v1-a', 'v1-b']);
    assert.deepEqual(Object.fromEntries(await names('/strict-v2', 5)), { 'v2-c': 5 });
  });

  it('falls back to the default subset for an unknown subset, and answers 503 without a fallback', async () => {
    assert.deepEqual([...(await names('/v9', 10)).keys()].sort(), ['v1-a', 'v1-b']);
    assert.deepEqual(Object.fromEntries(await names('/strict-v9', 3)), { '503 no healthy upstream': 3 });
  });

  it('splits between two subsets of one cluster by weight', async () => {
    const n = 300;
    const seen = await names('/split', n);
    assertShare(seen.get('v2-c') ?? 0, n, 0.5, 'v2 subset');
    assert.equal((seen.get('v1-a') ?? 0) + (seen.get('v1-b') ?? 0) + (seen.get('v2-c') ?? 0), n);
  });
});
