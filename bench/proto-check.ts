/**
 * Cost of the Envoy proto check (`node dist/bench/proto-check.js` after a build): on the xDS resources
 * of generated configurations (the sizes of bench/translate.ts), a cold check (a new ProtoChecker:
 * full walk + encode/decode round trip of everything), a warm re-check of the same objects, and the
 * re-check after a one-route change re-translated incrementally (only the new objects are walked),
 * as the control plane's gate runs it.
 */
import { performance } from 'node:perf_hooks';
import { translate } from '../src/translator/translate.js';
import { TranslationCache } from '../src/translator/translation-cache.js';
import { emptySnapshot, type ApiSnapshot } from '../src/config/snapshot.js';
import type { Resource } from '../src/api/resource.js';
import type { GatewayRoute } from '../src/api/types/route.js';
import { envoyRoot } from '../src/xds/protos.js';
import { ProtoChecker } from '../src/xds/proto-check.js';
import type { XdsSnapshot } from '../src/xds/envoy-types.js';

function route(vs: number, r: number, upstreams: number): GatewayRoute {
  const kind = r % 3;
  const matcher =
    kind === 0
      ? { prefix: `/svc-${vs}/r-${r}/`, headers: [{ name: 'x-tenant', value: `t-${r}` }] }
      : kind === 1
        ? { exact: `/svc-${vs}/exact-${r}` }
        : { regex: `/svc-${vs}/items/[0-9]+/r${r}` };
  return {
    matchers: [matcher],
    options: r % 5 === 0 ? { prefixRewrite: '/', timeout: '15s' } : {},
    routeAction: { single: { upstream: { name: `us-${(vs * 7 + r) % upstreams}`, namespace: 'gloo-system' } } },
  };
}

function snapshotOf(vsCount: number, routesPerVs: number, upstreamCount: number): ApiSnapshot {
  const s = emptySnapshot();
  s.gateways = [
    {
      kind: 'Gateway',
      apiVersion: 'gateway.solo.io/v1',
      metadata: { name: 'gateway-proxy', namespace: 'gloo-system' },
      spec: { bindAddress: '::', bindPort: 8080, httpGateway: {} },
      unsupported: [],
    },
  ];
  s.upstreams = Array.from(
    { length: upstreamCount },
    (_, i): Resource<'Upstream'> => ({
      kind: 'Upstream',
      apiVersion: 'gloo.solo.io/v1',
      metadata: { name: `us-${i}`, namespace: 'gloo-system' },
      spec: { static: { hosts: [{ addr: '127.0.0.1', port: 10000 + i }] } },
      unsupported: [],
    }),
  );
  s.virtualServices = Array.from(
    { length: vsCount },
    (_, i): Resource<'VirtualService'> => ({
      kind: 'VirtualService',
      apiVersion: 'gateway.solo.io/v1',
      metadata: { name: `vs-${i}`, namespace: `team-${i % 10}` },
      spec: { virtualHost: { domains: [`svc-${i}.example.com`], routes: Array.from({ length: routesPerVs }, (_, r) => route(i, r, upstreamCount)) } },
      unsupported: [],
    }),
  );
  return s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function checkAll(checker: ProtoChecker, xds: Map<string, Omit<XdsSnapshot, 'version'>>): number {
  let problems = 0;
  for (const resources of xds.values()) problems += checker.checkSnapshot(resources).length;
  return problems;
}

function measure(name: string, snapshot: ApiSnapshot, runs = 5): void {
  const cache = new TranslationCache();
  const first = translate(snapshot, { cache });
  const routeCount = [...first.xds.values()].reduce((n, x) => n + x.routes.reduce((m, rc) => m + rc.virtual_hosts.reduce((k, vh) => k + vh.routes.length, 0), 0), 0);
  checkAll(new ProtoChecker(), first.xds); // warm-up (the JIT, protobufjs' generated coders)
  let problems0 = 0;
  const walkOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    problems0 += checkAll(new ProtoChecker({ roundTrip: false }), first.xds);
    walkOnly.push(performance.now() - t0);
  }
  const cold: number[] = [];
  const warm: number[] = [];
  let problems = problems0;
  for (let i = 0; i < runs; i++) {
    const checker = new ProtoChecker();
    let t0 = performance.now();
    problems += checkAll(checker, first.xds);
    cold.push(performance.now() - t0);
    t0 = performance.now();
    problems += checkAll(checker, first.xds);
    warm.push(performance.now() - t0);
  }
  // One route changes; the translation cache reuses every other virtual host object.
  const changed: ApiSnapshot = { ...snapshot, virtualServices: [...snapshot.virtualServices] };
  const vs0 = changed.virtualServices[0]!;
  const routes = [...(vs0.spec.virtualHost?.routes ?? [])];
  routes[0] = { ...routes[0]!, options: { prefixRewrite: '/changed' } };
  changed.virtualServices[0] = { ...vs0, spec: { ...vs0.spec, virtualHost: { ...vs0.spec.virtualHost, routes } } };
  const incremental: number[] = [];
  for (let i = 0; i < runs; i++) {
    const checker = new ProtoChecker();
    const c = new TranslationCache();
    checkAll(checker, translate(snapshot, { cache: c }).xds);
    const next = translate(changed, { cache: c });
    const t0 = performance.now();
    problems += checkAll(checker, next.xds);
    incremental.push(performance.now() - t0);
  }
  process.stdout.write(
    `| ${name} | ${routeCount} | ${median(walkOnly).toFixed(1)} | ${median(cold).toFixed(1)} | ${median(warm).toFixed(2)} | ${median(incremental).toFixed(2)} | ${problems} |\n`,
  );
}

const t0 = performance.now();
envoyRoot();
process.stdout.write(`proto root loaded in ${(performance.now() - t0).toFixed(0)} ms\n\n`);
process.stdout.write('| case | routes in RouteConfigurations | cold walk only ms (median) | cold check ms | warm re-check ms | after a one-route change ms | problems |\n');
process.stdout.write('| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n');
measure('1,000 VS × 1 route', snapshotOf(1000, 1, 100));
measure('100 VS × 100 routes', snapshotOf(100, 100, 100));
measure('1,000 VS × 10 routes', snapshotOf(1000, 10, 200));
measure('10,000 VS × 1 route', snapshotOf(10000, 1, 500), 3);
measure('1 VS × 10,000 routes', snapshotOf(1, 10000, 100), 3);
