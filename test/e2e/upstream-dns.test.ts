/**
 * gateway-proxy end to end, DNS-resolved clusters: STRICT_DNS re-resolution every `dns_refresh_rate`
 * (hosts added and removed without a config update), `respect_dns_ttl`, a failing resolver keeping the
 * last hosts, and LOGICAL_DNS resolving again for each new connection.
 *
 * A test cannot change what /etc/hosts or the system resolver answers, so the proxy is given a resolver
 * function (`GatewayProxyOptions.dnsResolver`, the same seam the data plane uses for node's
 * `dns.lookup`) whose answers the test changes. Two upstream servers listen on the same port of two
 * loopback addresses (127.0.0.1 and 127.0.0.2), so one name:port can point at either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../../src/xds/envoy-types.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import type { DnsResolver } from '../../src/proxy/upstream/dns-cache.js';
import { waitFor } from '../helpers/gloo-process.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer } from '../helpers/upstream-server.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

describe('gateway-proxy DNS clusters (e2e)', () => {
  let a: UpstreamServer;
  let b: UpstreamServer;
  let h: ProxyHarness;
  let base: string;
  /** What the injected resolver answers, by name; a name mapped to an Error fails. */
  const answers = new Map<string, string[] | Error>();
  const ttls = new Map<string, number>();
  const asked: string[] = [];
  const resolver: DnsResolver = async (name) => {
    asked.push(name);
    const v = answers.get(name);
    if (v === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    if (v instanceof Error) throw v;
    const ttl = ttls.get(name);
    return ttl === undefined ? { addresses: [...v] } : { addresses: [...v], ttlMs: ttl };
  };

  before(async () => {
    a = await UpstreamServer.start('a', '127.0.0.1');
    b = await UpstreamServer.start('b', '127.0.0.2', a.port);
    answers.set('svc.test', ['127.0.0.1']);
    answers.set('ttl.test', ['127.0.0.1']);
    answers.set('flaky.test', ['127.0.0.1']);
    answers.set('logical.test', ['127.0.0.1']);
    ttls.set('ttl.test', 50);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const dnsCluster = (name: string, host: string, extra: Partial<Cluster>): Cluster =>
      staticCluster(name, [{ address: host, port: a.port }], { type: 'STRICT_DNS', dns_lookup_family: 'V4_ONLY', ...extra });
    const clusters: Cluster[] = [
      dnsCluster('strict', 'svc.test', { dns_refresh_rate: { seconds: '0', nanos: 100_000_000 } }),
      // A refresh rate far longer than the test: only the records' TTL can make it re-resolve.
      dnsCluster('ttl', 'ttl.test', { dns_refresh_rate: { seconds: '3600', nanos: 0 }, respect_dns_ttl: true }),
      dnsCluster('flaky', 'flaky.test', { dns_refresh_rate: { seconds: '0', nanos: 50_000_000 } }),
      staticCluster('logical', [{ address: 'logical.test', port: a.port }], {
        type: 'LOGICAL_DNS',
        dns_lookup_family: 'V4_ONLY',
        // One request per connection, so every request opens (and resolves for) a new connection.
        typed_extension_protocol_options: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': TYPE_URL.upstreamHttpProtocolOptions,
            common_http_protocol_options: { max_requests_per_connection: { value: 1 } },
            explicit_http_config: { http_protocol_options: {} },
          },
        },
      }),
    ];
    h = new ProxyHarness({ dnsResolver: resolver });
    await h.push(
      snapshot('1', {
        listeners: [httpListener('main', '127.0.0.1', port, 'routes')],
        clusters,
        routes: [routeConfig('routes', [vhost('main', ['*'], clusters.map((c) => prefixRoute(`/${c.name}/`, c.name)))])],
      }),
    );
  });

  after(async () => {
    await h.close();
    await Promise.all([a.close(), b.close()]);
  });

  async function who(path: string): Promise<string> {
    const r = await h.get(`${base}${path}`);
    assert.equal(r.status, 200, r.text);
    return r.headers['x-upstream-name'] as string;
  }

  const hostsOf = (cluster: string) => h.proxy.config!.clusters.get(cluster)!.hosts.hosts.map((x) => x.authority).sort();

  it('STRICT_DNS: resolved before the config is served, then the hosts follow the answers without a config update', async () => {
    assert.equal(await who('/strict/1'), 'a');
    assert.deepEqual(hostsOf('strict'), [`127.0.0.1:${a.port}`]);
    const version = h.proxy.appliedVersion;

    answers.set('svc.test', ['127.0.0.2']);
    await waitFor('the cluster to move to 127.0.0.2', () => hostsOf('strict').join() === `127.0.0.2:${a.port}`);
    assert.equal(await who('/strict/2'), 'b');

    answers.set('svc.test', ['127.0.0.1', '127.0.0.2']);
    await waitFor('both hosts', () => hostsOf('strict').length === 2);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(await who(`/strict/rr${i}`));
    assert.deepEqual([...seen].sort(), ['a', 'b'], 'round robin over both resolved addresses');
    assert.equal(h.proxy.appliedVersion, version, 'no config update was involved');
    assert.ok(h.logs.some((l) => l.msg === 'STRICT_DNS cluster hosts changed' && l.fields?.cluster === 'strict'));
  });

  it('respect_dns_ttl: the records’ TTL sets the refresh interval (the rate here is one hour)', async () => {
    assert.equal(await who('/ttl/1'), 'a');
    answers.set('ttl.test', ['127.0.0.2']);
    await waitFor('a re-resolution by TTL', () => hostsOf('ttl').join() === `127.0.0.2:${a.port}`);
    assert.equal(await who('/ttl/2'), 'b');
  });

  it('a failing resolution keeps the last hosts (and is logged once)', async () => {
    assert.equal(await who('/flaky/1'), 'a');
    const before = asked.filter((n) => n === 'flaky.test').length;
    answers.set('flaky.test', new Error('resolver down'));
    await waitFor('two failed re-resolutions', () => asked.filter((n) => n === 'flaky.test').length >= before + 2);
    assert.deepEqual(hostsOf('flaky'), [`127.0.0.1:${a.port}`]);
    assert.equal(await who('/flaky/2'), 'a');
    assert.equal(h.logs.filter((l) => l.msg === 'DNS re-resolution failed; the cluster keeps its hosts' && l.fields?.cluster === 'flaky').length, 1);
    answers.set('flaky.test', ['127.0.0.2']);
    await waitFor('recovery', () => hostsOf('flaky').join() === `127.0.0.2:${a.port}`);
  });

  it('LOGICAL_DNS: one host, its name resolved again for each new connection', async () => {
    assert.deepEqual(hostsOf('logical'), [`logical.test:${a.port}`]);
    assert.equal(await who('/logical/1'), 'a');
    answers.set('logical.test', ['127.0.0.2']);
    assert.equal(await who('/logical/2'), 'b');
    answers.set('logical.test', ['127.0.0.1']);
    assert.equal(await who('/logical/3'), 'a');
  });
});
