/**
 * Filter chain choice by source address (hybrid gateways): the selector's rules (longest prefix
 * wins, a chain without ranges is the default, IPv4-mapped sources match IPv4 ranges, no match ⇒ not
 * served), then a real listener with two chains answered from two loopback source addresses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FilterChainSelector, ipBytes, parseCidr, type Cidr } from '../../../src/proxy/listener/filter-chain-selector.js';
import { compileListener } from '../../../src/proxy/listener/compile-listener.js';
import { ListenerManager } from '../../../src/proxy/listener/listener-manager.js';
import { compileRouteConfiguration } from '../../../src/proxy/router/route-table.js';
import { createProxyStats } from '../../../src/proxy/stats.js';
import type { Listener } from '../../../src/xds/envoy-types.js';
import { fakeClusters, memoryLogger } from './fakes.js';
import { hcm, routeConfig, vhost } from './snapshot-builders.js';

const cidr = (a: string, len: number) => parseCidr(a, len)!;

test('IP addresses parse to 4 or 16 bytes; IPv4-mapped IPv6 is IPv4', () => {
  assert.deepEqual([...ipBytes('10.1.2.3')!], [10, 1, 2, 3]);
  assert.deepEqual([...ipBytes('::ffff:10.1.2.3')!], [10, 1, 2, 3]);
  assert.deepEqual([...ipBytes('::ffff:a01:203')!], [10, 1, 2, 3]);
  assert.equal(ipBytes('2001:db8::1')!.length, 16);
  assert.deepEqual([...ipBytes('2001:db8::1')!].slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
  assert.equal(ipBytes('::1')![15], 1);
  assert.equal(ipBytes('fe80::1%eth0')![0], 0xfe);
  assert.equal(ipBytes('not-an-ip'), undefined);
  assert.equal(parseCidr('10.0.0.0', 99)!.prefixLen, 32);
});

test('the longest matching source prefix wins; a chain without ranges is the default', () => {
  const s = new FilterChainSelector([
    { ranges: [], value: 'default' },
    { ranges: [cidr('10.0.0.0', 8)], value: 'ten' },
    { ranges: [cidr('192.168.0.0', 16), cidr('10.1.0.0', 16)], value: 'ten-one' },
    { ranges: [cidr('2001:db8::', 32)], value: 'v6' },
  ]);
  assert.equal(s.select('10.2.3.4'), 'ten');
  assert.equal(s.select('10.1.3.4'), 'ten-one');
  assert.equal(s.select('::ffff:10.1.3.4'), 'ten-one');
  assert.equal(s.select('192.168.9.9'), 'ten-one');
  assert.equal(s.select('172.16.0.1'), 'default');
  assert.equal(s.select('2001:db8:1::5'), 'v6');
  assert.equal(s.select(undefined), 'default');
});

test('no matching chain and no default: the connection is not served; ties go to the first chain', () => {
  const s = new FilterChainSelector([
    { ranges: [cidr('10.0.0.0', 8)], value: 'a' },
    { ranges: [cidr('10.0.0.0', 8)], value: 'b' },
  ]);
  assert.equal(s.select('10.0.0.1'), 'a');
  assert.equal(s.select('11.0.0.1'), null);
  assert.equal(new FilterChainSelector([{ ranges: [cidr('0.0.0.0', 0)], value: 'any-v4' }]).select('1.2.3.4'), 'any-v4');
});

function get(port: number, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a listener with two filter chains serves each connection from the chain its source address matches', async () => {
  const logger = memoryLogger();
  const clusters = fakeClusters();
  const direct = (body: string) => [{ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: body } } }];
  const routeTables = new Map([
    ['internal-routes', compileRouteConfiguration(routeConfig('internal-routes', [vhost('i', ['*'], direct('internal'))]), clusters, logger)],
    ['default-routes', compileRouteConfiguration(routeConfig('default-routes', [vhost('d', ['*'], direct('default'))]), clusters, logger)],
  ]);
  const chain = (routes: string) => ({ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm(routes) }] });
  const listener = {
    name: 'hybrid',
    address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    filter_chains: [
      { ...chain('internal-routes'), filter_chain_match: { source_prefix_ranges: [{ address_prefix: '127.0.0.2', prefix_len: { value: 32 } }] } },
      chain('default-routes'),
    ],
  } as unknown as Listener;
  const config = compileListener(listener, { routeTables, clusters, stats: createProxyStats(), logger });
  assert.ok(config?.chainSelector, 'two chains ⇒ a selector');
  const manager = new ListenerManager({ logger, drainTimeoutMs: 100 });
  try {
    await manager.apply([config]);
    const port = manager.status()[0]!.boundPort!;
    assert.deepEqual(await get(port, '127.0.0.2'), { status: 200, body: 'internal' });
    assert.deepEqual(await get(port, '127.0.0.1'), { status: 200, body: 'default' });
  } finally {
    await manager.close(100);
  }
});

test('a listener whose only chain matches other sources closes the connection', async () => {
  const logger = memoryLogger();
  const clusters = fakeClusters();
  const routeTables = new Map([
    ['r', compileRouteConfiguration(routeConfig('r', [vhost('v', ['*'], [{ match: { prefix: '/' }, direct_response: { status: 200 } }])]), clusters, logger)],
  ]);
  const listener = {
    name: 'only-ten',
    address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    filter_chains: [
      {
        filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm('r') }],
        filter_chain_match: { source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: { value: 8 } }] },
      },
    ],
  } as unknown as Listener;
  const config = compileListener(listener, { routeTables, clusters, stats: createProxyStats(), logger })!;
  const manager = new ListenerManager({ logger, drainTimeoutMs: 100 });
  try {
    await manager.apply([config]);
    const port = manager.status()[0]!.boundPort!;
    await assert.rejects(get(port, '127.0.0.1'), /socket hang up|ECONNRESET/);
  } finally {
    await manager.close(100);
  }
});

test('server names first (exact, longest wildcard, none), then transport protocol, then source', () => {
  const any: Cidr[] = [];
  const s = new FilterChainSelector<string>([
    { ranges: any, serverNames: ['*.example.com'], value: 'wild' },
    { ranges: any, serverNames: ['*.api.example.com'], value: 'wild-api' },
    { ranges: any, serverNames: ['a.example.com'], value: 'exact' },
    { ranges: [parseCidr('10.0.0.0', 8)!], transport: 'tls', value: 'tls-internal' },
    { ranges: any, transport: 'tls', value: 'tls' },
    { ranges: any, transport: 'raw_buffer', value: 'plain' },
  ]);
  assert.equal(s.select('192.0.2.1', 'a.example.com', 'tls'), 'exact');
  assert.equal(s.select('192.0.2.1', 'b.example.com', 'tls'), 'wild');
  assert.equal(s.select('192.0.2.1', 'x.api.example.com', 'tls'), 'wild-api');
  assert.equal(s.select('192.0.2.1', 'example.com', 'tls'), 'tls', 'a wildcard does not match the bare domain');
  assert.equal(s.select('10.1.1.1', 'other.org', 'tls'), 'tls-internal');
  assert.equal(s.select('192.0.2.1', null, 'tls'), 'tls');
  assert.equal(s.select('192.0.2.1', null, 'raw_buffer'), 'plain');
});

test('no chain for an SNI when every chain names other servers', () => {
  const s = new FilterChainSelector<string>([{ ranges: [], serverNames: ['a.example.com'], value: 'a' }]);
  assert.equal(s.select('192.0.2.1', 'b.example.com', 'tls'), null);
  assert.equal(s.select('192.0.2.1', null, 'tls'), null);
});
