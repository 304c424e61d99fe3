/**
 * Turns an Envoy Listener into what the listener manager binds: its address and port, node:http
 * server settings, and the connection manager built from its `envoy.filters.network.http_connection_manager`
 * filter (route table from `rds.route_config_name` in the same snapshot, or an inline `route_config`).
 * Listeners carrying `api_listener` (proxyless gRPC) and listeners without an HTTP connection manager
 * are not served by this data plane. Only the first HCM filter chain is used; filter chain matching
 * by SNI / ALPN comes with TLS.
 */
import type { HttpConnectionManager as HcmConfig, Listener } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import { ConnectionManager } from '../http/connection-manager.js';
import type { Logger } from '../logger.js';
import type { RouteTable } from '../router/route-table.js';
import { compileRouteConfiguration } from '../router/route-table.js';
import type { ProxyStats } from '../stats.js';
import type { ClusterSet } from '../upstream/upstream-cluster.js';

export const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

/** node:http server settings of a listener. The detailed HCM settings are a later issue. */
export interface ServerSettings {
  keepAliveTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  keepAliveTimeout: 60_000,
  headersTimeout: 60_000,
  requestTimeout: 0,
};

export interface ListenerConfig {
  name: string;
  address: string;
  port: number;
  settings: ServerSettings;
  connectionManager: ConnectionManager;
}

export interface ListenerCompileContext {
  routeTables: ReadonlyMap<string, RouteTable>;
  clusters: ClusterSet;
  stats: ProxyStats;
  logger: Logger;
}

/** The listener's config, or null when this data plane does not serve it. Throws on a broken listener. */
export function compileListener(l: Listener, ctx: ListenerCompileContext): ListenerConfig | null {
  if (l.api_listener !== undefined) return null;
  const sa = l.address?.socket_address;
  if (!sa) throw new Error('listener has no socket_address');
  const port = Number(sa.port_value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port_value ${String(sa.port_value)}`);

  let hcm: HcmConfig | undefined;
  let chainsWithHcm = 0;
  for (const chain of l.filter_chains ?? []) {
    const f = chain.filters?.find((x) => x.name === HCM_FILTER_NAME);
    if (f === undefined) continue;
    chainsWithHcm++;
    hcm ??= f.typed_config as HcmConfig;
  }
  if (hcm === undefined) return null;
  if (chainsWithHcm > 1) {
    ctx.logger.warn('listener has several HTTP filter chains; only the first is served until filter chain matching lands', {
      listener: l.name,
    });
  }

  let table: RouteTable | null = null;
  if (hcm.rds?.route_config_name) {
    table = ctx.routeTables.get(hcm.rds.route_config_name) ?? null;
    if (table === null) {
      ctx.logger.warn('route configuration named by the listener is not in the snapshot; every request gets 404', {
        listener: l.name,
        routeConfig: hcm.rds.route_config_name,
      });
    }
  } else if (hcm.route_config) {
    table = compileRouteConfiguration(hcm.route_config, ctx.clusters, ctx.logger);
  }

  const idle = durationToMs(hcm.common_http_protocol_options?.idle_timeout);
  const requestTimeout = durationToMs(hcm.request_timeout);
  const keepAliveTimeout = idle !== undefined && idle > 0 ? idle : DEFAULT_SERVER_SETTINGS.keepAliveTimeout;
  const settings: ServerSettings = {
    keepAliveTimeout,
    // node requires headersTimeout <= requestTimeout when the latter is set.
    headersTimeout:
      requestTimeout !== undefined && requestTimeout > 0
        ? Math.min(DEFAULT_SERVER_SETTINGS.headersTimeout, requestTimeout)
        : DEFAULT_SERVER_SETTINGS.headersTimeout,
    requestTimeout: requestTimeout ?? 0,
  };

  return {
    name: l.name,
    address: sa.address,
    port,
    settings,
    connectionManager: ConnectionManager.fromConfig(hcm, table, ctx.stats, 'http'),
  };
}
