/**
 * The HTTP filter chain of one connection manager (DESIGN §5, STYLE 6): factories built once per
 * config from the HCM's `http_filters[]` (by name, or by the `@type` of `typed_config`), in order,
 * the router last and implicit. Implemented: `envoy.filters.http.fault`, `envoy.filters.http.buffer`,
 * `envoy.filters.http.health_check`, `envoy.filters.http.grpc_web`, `io.solo.transformation`. Filters
 * known but not implemented yet (cors, csrf, compressor/gzip, …) and unknown ones are
 * skipped with one log line per name (per process); the listener is never failed for a filter.
 * A chain with no filter that does anything compiles to null: the request path then pays one check.
 * A chain whose filters all have `appliesTo` (grpc_web alone, as Gloo emits it by default) is skipped
 * by requests none of them applies to (`gated`).
 *
 * Per-route config: `typed_per_filter_config[name]` of the weighted cluster the request will go to
 * (picked when the chain starts, for routes whose weighted clusters carry such configs), else of the
 * route, else of its virtual host (a `FilterConfig` wrapper is unwrapped; `disabled: true` switches the
 * filter off for the route),
 * compiled by the factory once per route, on the route's first request, and kept in a WeakMap keyed by
 * the compiled route (bounded by the config, not by clients). The compiled routes are mapped back to
 * the RouteConfiguration by virtual host name and route position (or name when some route was
 * skipped at compile time).
 */
import type { IncomingMessage } from 'node:http';
import type { RouteConfiguration, Route, TypedConfig, VirtualHost } from '../../xds/envoy-types.js';
import { BUFFER_FILTER, bufferFilterFactory } from '../filters/buffer/index.js';
import { FAULT_FILTER, faultFilterFactory } from '../filters/fault/index.js';
import { GRPC_WEB_FILTER, grpcWebFilterFactory } from '../filters/grpc-web/index.js';
import { HEALTH_CHECK_FILTER, healthCheckFilterFactory } from '../filters/health-check/index.js';
import { TRANSFORMATION_FILTER, transformationFilterFactory } from '../filters/transformation/index.js';
import type { HttpFilter } from '../../xds/envoy-types.js';
import type { CompiledRoute } from '../router/compiled-route.js';
import type { CompiledVirtualHost } from '../router/route-table.js';
import { FilterStatus, type FilterBuildContext, type FilterFactory, type FilterFactoryBuilder, type StreamFilter } from './filter.js';
import type { ActiveStream } from './active-stream.js';

export const ROUTER_FILTER = 'envoy.filters.http.router';

const BUILDERS = new Map<string, FilterFactoryBuilder>([
  [FAULT_FILTER, faultFilterFactory],
  [BUFFER_FILTER, (t) => bufferFilterFactory(t)],
  [HEALTH_CHECK_FILTER, (t) => healthCheckFilterFactory(t)],
  [GRPC_WEB_FILTER, () => grpcWebFilterFactory()],
  [TRANSFORMATION_FILTER, transformationFilterFactory],
]);

/**
 * Adds an HTTP filter implementation by name (the `http_filters[].name` it is configured under).
 * The built-in filters register above; tests register their own probes.
 */
export function registerHttpFilter(name: string, builder: FilterFactoryBuilder): void {
  BUILDERS.set(name, builder);
}

/** `@type` → canonical filter name, for chains that name filters differently. */
const BY_TYPE: ReadonlyMap<string, string> = new Map([
  ['type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', FAULT_FILTER],
  ['type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer', BUFFER_FILTER],
  ['type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck', HEALTH_CHECK_FILTER],
  ['type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb', GRPC_WEB_FILTER],
  ['type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', ROUTER_FILTER],
]);

/** Filters Gloo emits that later issues implement: accepted and skipped with one info line. */
const LATER = new Set([
  'envoy.filters.http.cors',
  'envoy.filters.http.csrf',
  'envoy.filters.http.compressor',
  'envoy.filters.http.gzip',
  'envoy.filters.http.ext_authz',
  'envoy.filters.http.ratelimit',
  'envoy.filters.http.jwt_authn',
  'envoy.filters.http.wasm',
  'envoy.filters.http.grpc_json_transcoder',
  'envoy.filters.http.grpc_stats',
  'envoy.filters.http.tap',
  'envoy.filters.http.lua',
]);

/** Names already reported (per process, bounded by the config's filter names). */
const reported = new Set<string>();

function reportOnce(key: string, log: () => void): void {
  if (reported.has(key) || reported.size > 1000) return;
  reported.add(key);
  log();
}

/** Marks a filter switched off for a route by `FilterConfig.disabled`. */
const DISABLED = Symbol('disabled');

type PerRoute = readonly unknown[] | null;

export class FilterChain {
  private readonly memo = new WeakMap<CompiledRoute, PerRoute>();
  /** Per compiled route: per weighted cluster, its per-filter configs (null: the clusters have none). */
  private readonly clusterMemo = new WeakMap<CompiledRoute, readonly PerRoute[] | null>();
  private readonly vhosts: ReadonlyMap<string, VirtualHost> | null;
  readonly encodes: boolean;
  /** Every filter says up front whether it applies to a request (`appliesTo`). */
  readonly gated: boolean;
  private readonly hasPerRoute: boolean;

  constructor(
    readonly factories: readonly FilterFactory[],
    routeConfig: RouteConfiguration | null,
    private readonly ctx: FilterBuildContext,
  ) {
    this.encodes = factories.some((f) => f.encodes);
    this.gated = factories.every((f) => f.appliesTo !== undefined);
    this.hasPerRoute = factories.some((f) => f.compilePerRoute !== undefined);
    this.vhosts = routeConfig === null || !this.hasPerRoute ? null : new Map((routeConfig.virtual_hosts ?? []).map((v) => [v.name, v]));
  }

  /** For a gated chain: whether some filter applies to this request (else the request skips the chain). */
  appliesTo(req: IncomingMessage): boolean {
    const fs = this.factories;
    for (let i = 0; i < fs.length; i++) if (fs[i]!.appliesTo!(req)) return true;
    return false;
  }

  /** Creates the request's filter instances and runs them. */
  start(s: ActiveStream): void {
    const fs = this.factories;
    const per = this.perRouteFor(s);
    const instances: (StreamFilter | null)[] = new Array<StreamFilter | null>(fs.length);
    let streams = false;
    for (let i = 0; i < fs.length; i++) {
      const p = per === null ? undefined : per[i];
      const f = p === DISABLED ? null : fs[i]!.create(p, s);
      instances[i] = f;
      if (f === null) continue;
      if (f.encodeBody !== undefined) s.bufferResponse();
      if (f.encodeData !== undefined || f.encodeTrailers !== undefined) streams = true;
    }
    s.filters = instances;
    if (streams) s.streamResponse();
    this.run(s);
  }

  /**
   * The stream's route changed (a filter cleared the route cache): the filters not yet run are
   * re-created with the new route's per-route configs, as Envoy's filters read theirs when they run.
   */
  recreateAfter(s: ActiveStream): void {
    const fs = this.factories;
    const instances = s.filters;
    if (instances === null) return;
    const per = this.perRouteFor(s);
    for (let i = s.next; i < fs.length; i++) {
      try {
        instances[i]?.onDestroy?.();
      } catch {
        // a filter's cleanup must not stop the others
      }
      const p = per === null ? undefined : per[i];
      const f = p === DISABLED ? null : fs[i]!.create(p, s);
      instances[i] = f;
      if (f !== null && f.encodeBody !== undefined) s.bufferResponse();
    }
  }

  /** Runs decodeHeaders from the stream's position; the router last. */
  run(s: ActiveStream): void {
    const fs = s.filters!;
    while (s.next < fs.length) {
      const f = fs[s.next++];
      if (f === null || f === undefined) continue;
      // A streaming decoder sees the body as the router sends it (registered before a StopIteration).
      if (f.decodeData !== undefined && f.decodeBody === undefined) (s.decoders ??= []).push(f);
      if (f.decodeHeaders !== undefined) {
        const st = f.decodeHeaders(s);
        if (s.replied) return;
        if (st === FilterStatus.StopIteration) return;
      }
      if (f.decodeBody !== undefined) {
        // The chain waits for the whole body; `withRequestBody` resumes it (or answers 413).
        s.withRequestBody(f);
        return;
      }
    }
    s.decodeComplete();
  }

  private perRoute(vhost: CompiledVirtualHost | null, route: CompiledRoute | null): PerRoute {
    if (route === null || vhost === null || this.vhosts === null) return null;
    let v = this.memo.get(route);
    if (v === undefined) {
      v = this.resolve(vhost, route);
      this.memo.set(route, v);
    }
    return v;
  }

  /**
   * The per-filter configs for a stream's route: those of the route (else its virtual host), or —
   * when the route splits over weighted clusters some of which carry `typed_per_filter_config` — those
   * of the weighted cluster picked now for this request (the router then uses the same pick), as
   * Envoy picks the weighted cluster with the route.
   */
  private perRouteFor(s: ActiveStream): PerRoute {
    const per = this.perRoute(s.vhost, s.route);
    const route = s.route;
    const action = route === null ? null : route.forward;
    if (action === null || action.weightedClusterNames === null || this.vhosts === null) return per;
    let clusters = this.clusterMemo.get(route!);
    if (clusters === undefined) {
      clusters = this.resolveClusters(s.vhost!, route!, per);
      this.clusterMemo.set(route!, clusters);
    }
    if (clusters === null) return per;
    return clusters[action.pickWeightedCluster(s.req)] ?? per;
  }

  /** The RouteConfiguration route a compiled route came from. */
  private rawRoute(vhost: CompiledVirtualHost, route: CompiledRoute): { rawVh: VirtualHost; raw: Route | undefined } | null {
    const rawVh = this.vhosts!.get(vhost.name);
    if (rawVh === undefined) return null;
    const rawRoutes = rawVh.routes ?? [];
    let raw: Route | undefined;
    if (rawRoutes.length === vhost.routes.length) raw = rawRoutes[vhost.routes.indexOf(route)];
    else if (route.name !== '') raw = rawRoutes.find((r) => r.name === route.name);
    return { rawVh, raw };
  }

  /** One filter's typed_per_filter_config entry compiled (FilterConfig unwrapped); undefined when there is none or it is rejected. */
  private compileEntry(f: FilterFactory, t: TypedConfig | undefined, route: CompiledRoute): unknown {
    if (t === undefined || f.compilePerRoute === undefined) return undefined;
    if (t['@type'] === 'type.googleapis.com/envoy.config.route.v3.FilterConfig') {
      const fc = t as { disabled?: boolean; config?: TypedConfig };
      if (fc.disabled === true) return DISABLED;
      if (fc.config === undefined) return undefined;
      t = fc.config;
    }
    try {
      return f.compilePerRoute(t);
    } catch (err) {
      this.ctx.logger.warn('per-route filter config rejected; the filter-level config applies', { filter: f.name, route: route.name, err });
      return undefined;
    }
  }

  private resolve(vhost: CompiledVirtualHost, route: CompiledRoute): PerRoute {
    const found = this.rawRoute(vhost, route);
    if (found === null) return null;
    const { rawVh, raw } = found;
    let out: unknown[] | null = null;
    this.factories.forEach((f, i) => {
      const v = this.compileEntry(f, raw?.typed_per_filter_config?.[f.name] ?? rawVh.typed_per_filter_config?.[f.name], route);
      if (v !== undefined) (out ??= new Array<unknown>(this.factories.length))[i] = v;
    });
    return out;
  }

  /**
   * Per weighted cluster (in the router's pick order: clusters of weight 0 left out), the per-filter
   * configs with the cluster's own entries over the route's; null when no cluster has an entry.
   */
  private resolveClusters(vhost: CompiledVirtualHost, route: CompiledRoute, base: PerRoute): readonly PerRoute[] | null {
    const list = this.rawRoute(vhost, route)?.raw?.route?.weighted_clusters?.clusters ?? [];
    let any = false;
    const out = list
      .filter((c) => (typeof c.weight === 'number' ? c.weight : (c.weight?.value ?? 0)) > 0)
      .map((c): PerRoute => {
        let merged: unknown[] | null = null;
        this.factories.forEach((f, i) => {
          const v = this.compileEntry(f, c.typed_per_filter_config?.[f.name], route);
          if (v === undefined) return;
          merged ??= base === null ? new Array<unknown>(this.factories.length) : [...base];
          merged[i] = v;
          any = true;
        });
        return merged ?? base;
      });
    return any ? out : null;
  }
}

/**
 * Builds the chain of an HCM, or null when no filter does anything (router only…).
 * Never throws: a filter whose config cannot be built is logged and skipped.
 */
export function compileFilterChain(
  httpFilters: readonly HttpFilter[] | undefined,
  routeConfig: RouteConfiguration | null,
  ctx: FilterBuildContext,
  listener: string,
): FilterChain | null {
  const factories: FilterFactory[] = [];
  for (const hf of httpFilters ?? []) {
    if (hf.disabled === true) continue;
    const type = hf.typed_config?.['@type'] ?? '';
    const name = BUILDERS.has(hf.name) || hf.name === ROUTER_FILTER ? hf.name : (BY_TYPE.get(type) ?? hf.name);
    if (name === ROUTER_FILTER) break; // terminal: filters after the router never run
    const build = BUILDERS.get(name);
    if (build === undefined) {
      if (LATER.has(name)) {
        reportOnce(name, () => ctx.logger.info('HTTP filter not implemented in the data plane yet; skipped', { filter: name }));
      } else if (hf.is_optional === true) {
        reportOnce(name, () => ctx.logger.info('optional HTTP filter not known to the data plane; skipped', { filter: name, type }));
      } else {
        reportOnce(name, () => ctx.logger.warn('HTTP filter not known to the data plane; skipped', { filter: name, type, listener }));
      }
      continue;
    }
    try {
      factories.push(build(hf.typed_config ?? { '@type': type }, ctx));
    } catch (err) {
      ctx.logger.warn('HTTP filter config rejected; the filter is skipped', { filter: name, listener, err });
    }
  }
  return factories.length === 0 ? null : new FilterChain(factories, routeConfig, ctx);
}
