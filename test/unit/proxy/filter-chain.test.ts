/** The HTTP filter chain: compilation, order, StopIteration / resume, local replies, per-route config, fault and health_check. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { compileFilterChain, FilterChain } from '../../../src/proxy/http/filter-chain.js';
import { FilterStatus, type FilterCallbacks, type FilterFactory, type StreamFilter } from '../../../src/proxy/http/filter.js';
import type { LocalBody } from '../../../src/proxy/http/local-reply.js';
import { compileRouteConfiguration } from '../../../src/proxy/router/route-table.js';
import type { CompiledRoute } from '../../../src/proxy/router/compiled-route.js';
import type { CompiledVirtualHost } from '../../../src/proxy/router/route-table.js';
import { createProxyStats } from '../../../src/proxy/stats.js';
import { TYPE_URL, type HttpFilter, type RouteConfiguration } from '../../../src/xds/envoy-types.js';
import { fakeClusters, memoryLogger } from './fakes.js';

/** A stand-in for ActiveStream: records what the chain does. */
class FakeStream implements FilterCallbacks {
  filters: (StreamFilter | null)[] | null = null;
  next = 0;
  replied = false;
  decoded = false;
  reply: { status: number; body: LocalBody | null } | null = null;
  healthCheck = false;
  flags = 0;
  chain: FilterChain | null = null;
  readonly res = {} as never;
  constructor(
    readonly req: IncomingMessage,
    readonly vhost: CompiledVirtualHost | null = null,
    readonly route: CompiledRoute | null = null,
    public draining = false,
  ) {}
  continueDecoding(): void {
    if (!this.replied && !this.decoded) this.chain!.run(this as never);
  }
  sendLocalReply(status: number, body: LocalBody | null): void {
    this.replied = true;
    this.reply = { status, body };
  }
  markHealthCheck(): void {
    this.healthCheck = true;
  }
  addResponseFlag(flag: number): void {
    this.flags |= flag;
  }
  decodeComplete(): void {
    this.decoded = true;
  }
}

function run(chain: FilterChain, s: FakeStream): FakeStream {
  s.chain = chain;
  chain.start(s as never);
  return s;
}

const req = (url = '/', headers: Record<string, string> = {}) => ({ method: 'GET', url, headers: { host: 'h', ...headers } }) as unknown as IncomingMessage;
const ctx = () => ({ stats: createProxyStats(), logger: memoryLogger() });

function recording(name: string, log: string[], behaviour: (cb: FilterCallbacks) => FilterStatus = () => FilterStatus.Continue): FilterFactory<string> {
  return {
    name,
    encodes: false,
    compilePerRoute: (t) => String(t.value),
    create: (perRoute) => ({
      decodeHeaders: (cb) => {
        log.push(perRoute === undefined ? name : `${name}:${perRoute}`);
        return behaviour(cb);
      },
      onDestroy: () => log.push(`${name}.destroy`),
    }),
  };
}

describe('HTTP filter chain', () => {
  it('runs filters in order and ends in the router', () => {
    const log: string[] = [];
    const s = run(new FilterChain([recording('a', log), recording('b', log)], null, ctx()), new FakeStream(req()));
    assert.deepEqual(log, ['a', 'b']);
    assert.equal(s.decoded, true);
  });

  it('StopIteration pauses the chain until continueDecoding', () => {
    const log: string[] = [];
    let resume: (() => void) | null = null;
    const chain = new FilterChain(
      [
        recording('a', log, (cb) => {
          resume = () => cb.continueDecoding();
          return FilterStatus.StopIteration;
        }),
        recording('b', log),
      ],
      null,
      ctx(),
    );
    const s = run(chain, new FakeStream(req()));
    assert.deepEqual(log, ['a']);
    assert.equal(s.decoded, false);
    resume!();
    assert.deepEqual(log, ['a', 'b']);
    assert.equal(s.decoded, true);
    resume!(); // a second resume does nothing
    assert.deepEqual(log, ['a', 'b']);
  });

  it('a local reply stops the chain; the router does not run', () => {
    const log: string[] = [];
    const chain = new FilterChain(
      [
        recording('a', log, (cb) => {
          cb.sendLocalReply(403, null);
          return FilterStatus.StopIteration;
        }),
        recording('b', log),
      ],
      null,
      ctx(),
    );
    const s = run(chain, new FakeStream(req()));
    assert.deepEqual(log, ['a']);
    assert.equal(s.reply?.status, 403);
    assert.equal(s.decoded, false);
  });

  it('per-route config: route over virtual host, FilterConfig.disabled switches a filter off', () => {
    const rc: RouteConfiguration = {
      name: 'rc',
      virtual_hosts: [
        {
          name: 'vh',
          domains: ['*'],
          typed_per_filter_config: { a: { '@type': 'x', value: 'vhost' }, b: { '@type': 'x', value: 'vhost' } },
          routes: [
            { name: 'r1', match: { prefix: '/r1' }, direct_response: { status: 200 }, typed_per_filter_config: { a: { '@type': 'x', value: 'route' } } },
            {
              name: 'r2',
              match: { prefix: '/r2' },
              direct_response: { status: 200 },
              typed_per_filter_config: { b: { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: true } },
            },
          ],
        },
      ],
    };
    const table = compileRouteConfiguration(rc, fakeClusters(), memoryLogger());
    const vh = table.selectVirtualHost('h')!;
    const log: string[] = [];
    const chain = new FilterChain([recording('a', log), recording('b', log)], rc, ctx());
    run(chain, new FakeStream(req('/r1'), vh, vh.findRoute(req('/r1'), '/r1', '/r1', -1)));
    assert.deepEqual(log, ['a:route', 'b:vhost']);
    log.length = 0;
    run(chain, new FakeStream(req('/r2'), vh, vh.findRoute(req('/r2'), '/r2', '/r2', -1)));
    assert.deepEqual(log, ['a:vhost']);
  });

  it('per-route config of weighted clusters: picked when the chain starts; the router keeps that pick', () => {
    const rc: RouteConfiguration = {
      name: 'rc',
      virtual_hosts: [
        {
          name: 'vh',
          domains: ['*'],
          routes: [
            {
              name: 'w',
              match: { prefix: '/' },
              typed_per_filter_config: { a: { '@type': 'x', value: 'route' } },
              route: {
                weighted_clusters: {
                  clusters: [
                    { name: 'zero', weight: { value: 0 }, typed_per_filter_config: { a: { '@type': 'x', value: 'never' } } },
                    { name: 'c1', weight: { value: 1 }, typed_per_filter_config: { a: { '@type': 'x', value: 'c1' } } },
                    { name: 'c2', weight: { value: 1 } },
                  ],
                },
              },
            },
          ],
        },
      ],
    };
    const table = compileRouteConfiguration(rc, fakeClusters('zero', 'c1', 'c2'), memoryLogger());
    const vh = table.selectVirtualHost('h')!;
    const route = vh.findRoute(req('/'), '/', '/', -1)!;
    const log: string[] = [];
    const chain = new FilterChain([recording('a', log)], rc, ctx());
    const seen = new Set<string>();
    for (let i = 0; i < 64; i++) {
      log.length = 0;
      const r = req('/');
      run(chain, new FakeStream(r, vh, route));
      const cluster = route.forward!.selectCluster(r)!.name;
      assert.equal(log[0], cluster === 'c1' ? 'a:c1' : 'a:route', `request ${i} went to ${cluster}`);
      seen.add(cluster);
    }
    assert.deepEqual([...seen].sort(), ['c1', 'c2']);
  });

  it('compiles to null without filters that act (gated with grpc_web alone); unknown and later filters are skipped and logged once', () => {
    const c = ctx();
    const router: HttpFilter = { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } };
    assert.equal(compileFilterChain([router], null, c, 'l'), null);
    // grpc_web alone is a gated chain: requests that are not gRPC-Web skip it.
    const grpcWeb = compileFilterChain([{ name: 'envoy.filters.http.grpc_web', typed_config: { '@type': 'g' } }, router], null, c, 'l')!;
    assert.equal(grpcWeb.gated, true);
    assert.equal(grpcWeb.appliesTo(req('/', { 'content-type': 'application/json' })), false);
    assert.equal(grpcWeb.appliesTo(req('/')), false);
    assert.equal(grpcWeb.appliesTo(req('/', { 'content-type': 'application/grpc-web-text' })), true);
    const odd: HttpFilter[] = [
      { name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } },
      { name: 'com.example.unknown-unit-test', typed_config: { '@type': 'type.googleapis.com/example.Unknown' } },
      router,
    ];
    assert.equal(compileFilterChain(odd, null, c, 'l'), null);
    assert.equal(compileFilterChain(odd, null, c, 'l'), null);
    assert.equal(c.logger.entries.filter((e) => e.fields?.filter === 'com.example.unknown-unit-test').length, 1);
    // Filters after the router never run.
    assert.equal(compileFilterChain([router, { name: 'envoy.filters.http.fault', typed_config: { '@type': TYPE_URL.fault } }], null, c, 'l'), null);
  });
});

describe('fault filter', () => {
  const chainOf = (fault: Record<string, unknown>) => compileFilterChain([{ name: 'envoy.filters.http.fault', typed_config: { '@type': TYPE_URL.fault, ...fault } }], null, ctx(), 'l')!;

  it('aborts 100% with the configured status', () => {
    const s = run(chainOf({ abort: { http_status: 429, percentage: { numerator: 100 } } }), new FakeStream(req()));
    assert.equal(s.reply?.status, 429);
    assert.equal(s.decoded, false);
  });

  it('0% and an empty config do nothing', () => {
    assert.equal(run(chainOf({ abort: { http_status: 429, percentage: { numerator: 0 } } }), new FakeStream(req())).decoded, true);
    assert.equal(run(chainOf({}), new FakeStream(req())).decoded, true);
  });

  it('delays, then continues', async () => {
    const s = run(chainOf({ delay: { fixed_delay: { seconds: '0', nanos: 5_000_000 }, percentage: { numerator: 100 } } }), new FakeStream(req()));
    assert.equal(s.decoded, false);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(s.decoded, true);
  });

  it('header-controlled abort and matching headers', () => {
    const hdr = chainOf({ abort: { header_abort: {} } });
    assert.equal(run(hdr, new FakeStream(req('/', { 'x-envoy-fault-abort-request': '503' }))).reply?.status, 503);
    assert.equal(run(hdr, new FakeStream(req('/'))).decoded, true);
    const only = chainOf({ abort: { http_status: 500, percentage: { numerator: 100 } }, headers: [{ name: 'x-chaos', present_match: true }] });
    assert.equal(run(only, new FakeStream(req('/'))).decoded, true);
    assert.equal(run(only, new FakeStream(req('/', { 'x-chaos': '1' }))).reply?.status, 500);
  });

  it('rejects an abort status out of range (the filter is skipped, the listener is not failed)', () => {
    const c = ctx();
    assert.equal(compileFilterChain([{ name: 'envoy.filters.http.fault', typed_config: { '@type': TYPE_URL.fault, abort: { http_status: 99 } } }], null, c, 'l'), null);
    assert.ok(c.logger.entries.some((e) => e.msg.includes('config rejected')));
  });
});

describe('health_check filter', () => {
  const chain = compileFilterChain(
    [{ name: 'envoy.filters.http.health_check', typed_config: { '@type': TYPE_URL.healthCheck, pass_through_mode: { value: false }, headers: [{ name: ':path', string_match: { exact: '/hc' } }] } }],
    null,
    ctx(),
    'l',
  )!;

  it('answers the configured path with 200, or 503 while draining', () => {
    const ok = run(chain, new FakeStream(req('/hc')));
    assert.equal(ok.reply?.status, 200);
    assert.equal(ok.healthCheck, true);
    assert.equal(run(chain, new FakeStream(req('/hc'), null, null, true)).reply?.status, 503);
  });

  it('lets other paths through', () => {
    const s = run(chain, new FakeStream(req('/hc2')));
    assert.equal(s.reply, null);
    assert.equal(s.decoded, true);
  });

  it('pass-through mode only marks the request', () => {
    const pass = compileFilterChain(
      [{ name: 'envoy.filters.http.health_check', typed_config: { '@type': TYPE_URL.healthCheck, pass_through_mode: { value: true }, headers: [{ name: ':path', exact_match: '/hc' }] } }],
      null,
      ctx(),
      'l',
    )!;
    const s = run(pass, new FakeStream(req('/hc')));
    assert.equal(s.healthCheck, true);
    assert.equal(s.decoded, true);
  });
});
