/**
 * The plugin contract of the gloo translator (after Gloo's `plugins.go`): a plugin implements only
 * the hooks it needs, each `(params, in, out)`; `out` is the Envoy object being built.
 *
 * Example:
 *   export const timeoutPlugin: Plugin = {
 *     name: 'timeout',
 *     processRoute(params, route, out) { if (route.options?.timeout && out.route) out.route.timeout = ... },
 *   };
 */
import type { MemoTable } from '../translation-cache.js';
import type { Resource } from '../../api/resource.js';
import type { ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { ProxyRoute } from '../../api/types/route.js';
import type { Matcher } from '../../api/types/matchers.js';
import type { WeightedDestination } from '../../api/types/destination.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import type * as envoy from '../../xds/envoy-types.js';
import type { Reports } from '../reports.js';
import type { StagedHttpFilter } from './filter-stages.js';

/** Where a hook reports a problem: the resource(s) the translated object came from. */
export interface ProblemSink {
  error(message: string): void;
  warning(message: string): void;
  /**
   * Says the route being translated cannot serve as written (a route-level problem: a missing or
   * errored destination) even though only a warning was reported. An error on a route's sink implies
   * it. With `invalidConfigPolicy.replaceInvalidRoutes` such a route becomes a direct response.
   */
  routeInvalid?(): void;
}

/** `settings.gloo.invalidConfigPolicy` as the gloo translator applies it. */
export interface InvalidRoutePolicy {
  replaceInvalidRoutes: boolean;
  invalidRouteResponseCode: number;
  invalidRouteResponseBody: string;
}

export interface TranslationParams {
  snapshot: ApiSnapshot;
  proxy: Resource<'Proxy'>;
  /** Upstreams by `namespace.name`. */
  upstreams: ReadonlyMap<string, Resource<'Upstream'>>;
  /** UpstreamGroups by `namespace.name`. */
  upstreamGroups: ReadonlyMap<string, Resource<'UpstreamGroup'>>;
  reports: Reports;
  /** How invalid routes are served (default: as translated, e.g. 503 for a missing upstream). */
  invalidRoutes?: InvalidRoutePolicy | undefined;
  /**
   * Memoised Envoy virtual hosts (incremental translation): valid while the Proxy virtual host is the
   * same object and `fingerprint` (everything else a route can depend on) is unchanged.
   */
  memo?: { table: MemoTable<unknown>; fingerprint: string } | undefined;
}

export interface UpstreamParams extends TranslationParams {
  /** Reports on the Upstream. */
  report: ProblemSink;
}

export interface ListenerParams extends TranslationParams {
  listener: ProxyListener;
  /** Reports on the listener's source Gateways (and the Proxy). */
  report: ProblemSink;
}

export interface VirtualHostParams extends TranslationParams {
  listener: ProxyListener;
  virtualHost: ProxyVirtualHost;
  /** Reports on the virtual host's source VirtualService (and the Proxy). */
  report: ProblemSink;
}

export interface RouteParams extends VirtualHostParams {
  routeIndex: number;
  /** The matcher this Envoy route is built for (one Envoy route per matcher). */
  matcher: Matcher;
  matcherIndex: number;
}

export interface Plugin {
  readonly name: string;
  processUpstream?(params: UpstreamParams, upstream: Resource<'Upstream'>, out: envoy.Cluster): void;
  processVirtualHost?(params: VirtualHostParams, virtualHost: ProxyVirtualHost, out: envoy.VirtualHost): void;
  processRoute?(params: RouteParams, route: ProxyRoute, out: envoy.Route): void;
  /** One cluster of a weighted split (`multi` or UpstreamGroup entry), after its route's action is built. */
  processWeightedDestination?(params: RouteParams, destination: WeightedDestination, out: envoy.ClusterWeight): void;
  httpFilters?(params: ListenerParams, listener: ProxyListener): StagedHttpFilter[];
  /** The HTTP connection manager of an HTTP listener (or of one matched HTTP listener of a hybrid listener). */
  processHttpConnectionManager?(params: ListenerParams, listener: ProxyListener, out: envoy.HttpConnectionManager): void;
  /** The whole Envoy Listener, once its filter chains are built (HTTP, TCP and hybrid listeners). */
  processListener?(params: ListenerParams, listener: ProxyListener, out: envoy.Listener): void;
}
