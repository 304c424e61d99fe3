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
import type { RequestView } from './request-view.js';
import { VirtualHostSelector } from './virtual-host-selector.js';

export class CompiledVirtualHost {
  constructor(
    readonly name: string,
    readonly routes: readonly CompiledRoute[],
  ) {}

  /** First matching route or null. `queryAt` is the index of `?` in `url`, or -1. */
  findRoute(req: RequestView, url: string, path: string, queryAt: number): CompiledRoute | null {
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      if (r.match.matches(req, url, path, queryAt)) return r;
    }
    return null;
  }
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
