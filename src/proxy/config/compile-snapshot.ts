/**
 * Compiles one xDS snapshot into the immutable config the data plane serves: route tables (by
 * RouteConfiguration name), the listeners to bind with their connection managers, and the cluster
 * set built by the cluster manager. Compilation never throws: a resource that cannot be compiled is
 * logged with its name and left out, and everything else is served.
 */
import type { RouteConfiguration, XdsSnapshot } from '../../xds/envoy-types.js';
import type { SinkRegistry } from '../access-log/sink.js';
import { compileListener, type ListenerConfig } from '../listener/compile-listener.js';
import type { Logger } from '../logger.js';
import { compileRouteConfiguration, type RouteTable } from '../router/route-table.js';
import type { ProxyStats } from '../stats.js';
import type { ClusterSet } from '../upstream/upstream-cluster.js';

export interface CompiledConfig {
  readonly version: string;
  readonly listeners: readonly ListenerConfig[];
  readonly routeTables: ReadonlyMap<string, RouteTable>;
  readonly clusters: ClusterSet;
  /** The access-log file paths the listeners write (the sink registry closes the others). */
  readonly accessLogPaths: ReadonlySet<string>;
  /** The certificate / key / CA files the listeners' TLS contexts read (watched for rotation). */
  readonly tlsFiles: ReadonlySet<string>;
}

export function compileSnapshot(
  snapshot: XdsSnapshot,
  clusters: ClusterSet,
  stats: ProxyStats,
  logger: Logger,
  sinks: SinkRegistry | null = null,
): CompiledConfig {
  const routeTables = new Map<string, RouteTable>();
  const routeConfigs = new Map<string, RouteConfiguration>();
  const used = routeConfigsUsedBySockets(snapshot);
  for (const rc of snapshot.routes ?? []) {
    // Route configurations only proxyless gRPC clients use (api listeners) are not served here.
    if (!used.has(rc.name)) continue;
    if (routeTables.has(rc.name)) {
      logger.warn('duplicate route configuration name; the first one is used', { routeConfig: rc.name });
      continue;
    }
    try {
      routeTables.set(rc.name, compileRouteConfiguration(rc, clusters, logger));
      routeConfigs.set(rc.name, rc);
    } catch (err) {
      logger.warn('route configuration rejected', { routeConfig: rc.name, err });
    }
  }
  const listeners: ListenerConfig[] = [];
  const accessLogPaths = new Set<string>();
  const tlsFiles = new Set<string>();
  for (const l of snapshot.listeners ?? []) {
    try {
      const c = compileListener(l, { routeTables, clusters, stats, logger, routeConfigs, sinks });
      if (c !== null) listeners.push(c);
      if (c !== null)
        for (const chain of c.chainSelector?.values() ?? [{ cm: c.connectionManager, tcp: null }])
          for (const p of chain.cm?.accessLogs?.paths() ?? chain.tcp?.accessLogPaths() ?? []) accessLogPaths.add(p);
      if (c !== null) for (const chain of c.chainSelector?.values() ?? []) for (const f of chain.tls?.files ?? []) tlsFiles.add(f);
    } catch (err) {
      logger.warn('listener rejected', { listener: l.name, err });
    }
  }
  return Object.freeze({ version: snapshot.version, listeners: Object.freeze(listeners), routeTables, clusters, accessLogPaths, tlsFiles });
}

/** The names of the route configurations the socket listeners' connection managers use over RDS. */
function routeConfigsUsedBySockets(snapshot: XdsSnapshot): Set<string> {
  const used = new Set<string>();
  for (const l of snapshot.listeners ?? []) {
    if (l.api_listener) continue;
    for (const chain of l.filter_chains ?? [])
      for (const f of chain.filters ?? []) {
        const name = (f.typed_config as { rds?: { route_config_name?: string } } | undefined)?.rds?.route_config_name;
        if (name) used.add(name);
      }
  }
  return used;
}
