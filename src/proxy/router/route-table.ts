/**
 * A RouteConfiguration compiled for the request path: virtual host selection by Host, then the first
 * matching route of that virtual host. A route that fails to compile (bad regex, no action…) is
 * skipped with a warning naming it; the rest of the table still serves.
 *
 * Example: `compileRouteConfiguration(rc, clusters, logger).selectVirtualHost('a.example.com')?.findRoute(req, url, path, q)`
 */
import type { RouteConfiguration, VirtualHost } from '../../xds/envoy-types.js';
import type { Logger } from '../logger.js';
import type { ClusterSet } from '../upstream/upstream-cluster.js';
import { CompiledRoute } from './compiled-route.js';
import { PathKind } from './route-match.js';
import { normalizePath } from './path-normalize.js';
import type { RequestView } from './request-view.js';
import { kRoute, type Routed } from './routed.js';
import { VirtualHostSelector } from './virtual-host-selector.js';

export class CompiledVirtualHost {
  /**
   * Routes indexed by the first path segment they can match (`/api/…` → `api`), each list keeping the
   * routes of that segment and the routes that can match any segment (regex, `/`, case-insensitive,
   * prefixes without a second `/`) in their original order, so the first match is the same as a scan of
   * every route. A request scans only its segment's list, else `anySegment`.
   */
  private readonly bySegment: ReadonlyMap<string, readonly CompiledRoute[]> | null;
  private readonly anySegment: readonly CompiledRoute[];

  constructor(
    readonly name: string,
    readonly routes: readonly CompiledRoute[],
  ) {
    const keys = routes.map((r) => segmentKey(r));
    const segments = new Set(keys.filter((k): k is string => k !== null));
    this.anySegment = routes.filter((_, i) => keys[i] === null);
    if (segments.size === 0 || routes.length < 8) {
      this.bySegment = null;
      this.anySegment = routes;
      return;
    }
    const bySegment = new Map<string, CompiledRoute[]>();
    for (const seg of segments) bySegment.set(seg, routes.filter((_, i) => keys[i] === null || keys[i] === seg));
    this.bySegment = bySegment;
  }

  /**
   * First matching route or null. `queryAt` is the index of `?` in `url`, or -1. The path is matched
   * after Envoy's normalisation (dot segments, unreserved percent-decoding); the router forwards the
   * normalised path too. The route found is recorded on the request for `forwardRequest`.
   */
  findRoute(req: RequestView, url: string, path: string, queryAt: number): CompiledRoute | null {
    const normal = normalizePath(path);
    if (normal !== null) {
      url = queryAt === -1 ? normal : normal + url.slice(queryAt);
      queryAt = queryAt === -1 ? -1 : normal.length;
      path = normal;
    }
    let routes = this.anySegment;
    if (this.bySegment !== null) {
      const end = path.indexOf('/', 1);
      const list = this.bySegment.get(end === -1 ? path.slice(1) : path.slice(1, end));
      if (list !== undefined) routes = list;
    }
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      if (r.match.matches(req, url, path, queryAt)) {
        (req as Routed)[kRoute] = r;
        return r;
      }
    }
    return null;
  }
}

/**
 * The only first path segment a route can match, or null when it can match several: a
 * case-sensitive exact path, or a case-sensitive prefix with a second `/` (`/api/` → `api`).
 */
function segmentKey(r: CompiledRoute): string | null {
  const m = r.match;
  if (!m.caseSensitive || !m.value.startsWith('/') || m.value.includes('?')) return null;
  const end = m.value.indexOf('/', 1);
  if (m.kind === PathKind.Exact) return end === -1 ? m.value.slice(1) : m.value.slice(1, end);
  if (m.kind === PathKind.Prefix && end !== -1) return m.value.slice(1, end);
  return null;
}

export class RouteTable {
  constructor(
    readonly name: string,
    private readonly selector: VirtualHostSelector<CompiledVirtualHost>,
  ) {}

  selectVirtualHost(host: string): CompiledVirtualHost | null {
    return this.selector.select(host);
  }
}

export function compileRouteConfiguration(rc: RouteConfiguration, clusters: ClusterSet, logger: Logger): RouteTable {
  const selector = new VirtualHostSelector<CompiledVirtualHost>();
  for (const vh of rc.virtual_hosts ?? []) {
    const vhost = new CompiledVirtualHost(vh.name, compileRoutes(rc.name, vh, clusters, logger));
    const dup = selector.add(vh.domains ?? [], vhost);
    if (dup.length > 0) {
      logger.warn('domain already used by an earlier virtual host; ignored here', {
        routeConfig: rc.name,
        virtualHost: vh.name,
        domains: dup,
      });
    }
  }
  return new RouteTable(rc.name, selector);
}

function compileRoutes(rcName: string, vh: VirtualHost, clusters: ClusterSet, logger: Logger): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  (vh.routes ?? []).forEach((r, index) => {
    try {
      out.push(new CompiledRoute(r, vh, clusters));
    } catch (err) {
      logger.warn('route skipped: it could not be compiled', {
        routeConfig: rcName,
        virtualHost: vh.name,
        route: r.name ?? `#${index}`,
        err,
      });
    }
  });
  return out;
}
