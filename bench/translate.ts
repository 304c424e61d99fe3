/**
 * Translation at scale (`npm run bench:translate`): builds snapshots of N VirtualServices × R routes
 * (header and regex matchers, upstreams in several namespaces) and, when RouteTables are supported,
 * deep delegation trees; measures a full translation (median of several runs after warm-up), the heap
 * it retains, and a re-translation after a one-route change (with the previous snapshot's resources
 * reused, as the directory source does).
 */
import { performance } from 'node:perf_hooks';
import { translate } from '../src/translator/translate.js';
import { TranslationCache } from '../src/translator/translation-cache.js';
import { emptySnapshot, type ApiSnapshot } from '../src/config/snapshot.js';
import type { Resource } from '../src/api/resource.js';
import type { GatewayRoute } from '../src/api/types/route.js';

function upstream(i: number): Resource<'Upstream'> {
  return {
    kind: 'Upstream',
    apiVersion: 'gloo.solo.io/v1',
    metadata: { name: `us-${i}`, namespace: 'gloo-system' },
    spec: { static: { hosts: [{ addr: '127.0.0.1', port: 10000 + i }] } },
    unsupported: [],
  };
}

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
    options: r % 5 === 0 ? { prefixRewrite: '/' } : {},
    routeAction: { single: { upstream: { name: `us-${(vs * 7 + r) % upstreams}`, namespace: 'gloo-system' } } },
  };
}

function virtualService(i: number, routes: number, upstreams: number): Resource<'VirtualService'> {
  return {
    kind: 'VirtualService',
    apiVersion: 'gateway.solo.io/v1',
    metadata: { name: `vs-${i}`, namespace: `team-${i % 10}` },
    spec: {
      virtualHost: {
        domains: [`svc-${i}.example.com`],
        routes: Array.from({ length: routes }, (_, r) => route(i, r, upstreams)),
      },
    },
    unsupported: [],
  };
}

/** A VirtualService delegating to a chain of RouteTables `depth` levels deep, `fanout` tables per level. */
function delegationTree(i: number, depth: number, fanout: number, routesPerTable: number, upstreams: number): { vs: Resource<'VirtualService'>; tables: Resource<'RouteTable'>[] } {
  const ns = `tree-${i}`;
  const tables: Resource<'RouteTable'>[] = [];
  const build = (prefix: string, level: number): string[] => {
    const names: string[] = [];
    for (let f = 0; f < fanout; f++) {
      const name = `rt-${level}-${tables.length}`;
      const p = `${prefix}/l${level}-${f}`;
      const table: Resource<'RouteTable'> = {
        kind: 'RouteTable',
        apiVersion: 'gateway.solo.io/v1',
        metadata: { name, namespace: ns },
        spec: { routes: [] },
        unsupported: [],
      };
      tables.push(table);
      const routes: GatewayRoute[] = [];
      if (level < depth) {
        for (const child of build(p, level + 1)) routes.push({ matchers: [{ prefix: `${p}/` }], delegateAction: { ref: { name: child, namespace: ns } } });
      }
      for (let r = 0; r < routesPerTable; r++)
        routes.push({ matchers: [{ prefix: `${p}/r${r}` }], routeAction: { single: { upstream: { name: `us-${(i + r) % upstreams}`, namespace: 'gloo-system' } } } });
      table.spec.routes = routes;
      names.push(name);
    }
    return names;
  };
  const roots = build('', 1);
  const vs: Resource<'VirtualService'> = {
    kind: 'VirtualService',
    apiVersion: 'gateway.solo.io/v1',
    metadata: { name: `tree-${i}`, namespace: ns },
    spec: { virtualHost: { domains: [`tree-${i}.example.com`], routes: roots.map((n) => ({ matchers: [{ prefix: '/' }], delegateAction: { ref: { name: n, namespace: ns } } })) } },
    unsupported: [],
  };
  return { vs, tables };
}

function gateway(): Resource<'Gateway'> {
  return {
    kind: 'Gateway',
    apiVersion: 'gateway.solo.io/v1',
    metadata: { name: 'gateway-proxy', namespace: 'gloo-system' },
    spec: { bindAddress: '::', bindPort: 8080, httpGateway: {} },
    unsupported: [],
  };
}

function snapshotOf(vsCount: number, routesPerVs: number, upstreamCount: number): ApiSnapshot {
  const s = emptySnapshot();
  s.gateways = [gateway()];
  s.upstreams = Array.from({ length: upstreamCount }, (_, i) => upstream(i));
  s.virtualServices = Array.from({ length: vsCount }, (_, i) => virtualService(i, routesPerVs, upstreamCount));
  return s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(name: string, snapshot: ApiSnapshot, runs = 5): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  translate(snapshot); // warm-up (the JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    translate(snapshot);
    times.push(performance.now() - t0);
  }
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const first = translate(snapshot);
  gc?.();
  const retained = process.memoryUsage().heapUsed - heapBefore;

  // One route changes: a new VS object for that one VS, every other resource object reused.
  const changed: ApiSnapshot = { ...snapshot, virtualServices: [...snapshot.virtualServices] };
  const vs0 = changed.virtualServices[0]!;
  const routes = [...(vs0.spec.virtualHost?.routes ?? [])];
  routes[0] = { ...routes[0]!, options: { prefixRewrite: '/changed' } };
  changed.virtualServices[0] = { ...vs0, spec: { ...vs0.spec, virtualHost: { ...vs0.spec.virtualHost, routes } } };
  const previousProxies = new Map(first.proxies.map((p) => [p.metadata.name, p]));
  const retimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // As the control plane does: one cache kept across translations, warm from the previous snapshot.
    const cache = new TranslationCache();
    translate(snapshot, { previousProxies, cache });
    const t0 = performance.now();
    translate(changed, { previousProxies, cache });
    retimes.push(performance.now() - t0);
  }
  const routeCount = first.proxies.reduce(
    (n, p) => n + (p.spec.listeners ?? []).reduce((m, l) => m + (l.httpListener?.virtualHosts ?? []).reduce((k, vh) => k + (vh.routes?.length ?? 0), 0), 0),
    0,
  );
  process.stdout.write(
    `| ${name} | ${snapshot.virtualServices.length} | ${routeCount} | ${median(times).toFixed(1)} | ${median(retimes).toFixed(1)} | ${gc ? (retained / 1048576).toFixed(1) : 'n/a (run with --expose-gc)'} |\n`,
  );
}

process.stdout.write('| case | virtual services | routes in the Proxy | full translation ms (median) | after a one-route change ms | heap retained MiB |\n');
process.stdout.write('| --- | ---: | ---: | ---: | ---: | ---: |\n');
measure('1,000 VS × 1 route', snapshotOf(1000, 1, 100));
measure('100 VS × 100 routes', snapshotOf(100, 100, 100));
measure('1,000 VS × 10 routes', snapshotOf(1000, 10, 200));
measure('10,000 VS × 1 route', snapshotOf(10000, 1, 500), 3);
{
  // 100 VirtualServices, each a delegation tree 4 levels deep (2 tables per level, 5 routes each).
  const s = snapshotOf(0, 0, 100);
  for (let i = 0; i < 100; i++) {
    const t = delegationTree(i, 4, 2, 5, 100);
    s.virtualServices.push(t.vs);
    s.routeTables.push(...t.tables);
  }
  measure('100 VS × delegation 4 deep (3,000 tables)', s, 3);
}
