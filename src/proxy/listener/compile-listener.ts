/**
 * Turns an Envoy Listener into what the listener manager binds: its address and port, node:http
 * server settings, and its filter chains. A served chain is either an HTTP connection manager
 * (`envoy.filters.network.http_connection_manager`; route table from `rds.route_config_name` in the
 * same snapshot, or an inline `route_config`) or a TCP proxy (`envoy.filters.network.tcp_proxy`,
 * src/proxy/tcp), each optionally terminating TLS (`transport_socket`). Listeners carrying
 * `api_listener` (proxyless gRPC) and listeners with no chain this data plane can serve are not served.
 * A listener with several chains, or any that matches on SNI / transport, terminates TLS or proxies
 * TCP, chooses one per connection (filter-chain-selector.ts; from what the TLS inspector read when
 * some chain needs it). A chain whose TLS context or TCP proxy cannot be built is left out with a log
 * line, so a TLS port is never opened as plain HTTP and a TCP chain never runs differently from its config.
 */
import type { FilterChain, HttpConnectionManager as HcmConfig, Listener, RouteConfiguration } from '../../xds/envoy-types.js';
import { compileAccessLogs } from '../access-log/access-logger.js';
import type { SinkRegistry } from '../access-log/sink.js';
import { durationToMs } from '../../xds/envoy-types.js';
import { ConnectionManager } from '../http/connection-manager.js';
import type { Logger } from '../logger.js';
import type { RouteTable } from '../router/route-table.js';
import { compileRouteConfiguration } from '../router/route-table.js';
import type { ProxyStats } from '../stats.js';
import type { ClusterSet } from '../upstream/upstream-cluster.js';
import { DownstreamTls } from '../tls/downstream-tls.js';
import { TcpProxy } from '../tcp/tcp-proxy.js';
import { FilterChainSelector, parseCidr, type ChainCandidate, type Cidr } from './filter-chain-selector.js';

export const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

/**
 * node:http server settings of a listener, from its (first) HCM. All are applied to a running server
 * without reopening its socket: the timeouts are server properties node reads per request or per
 * check, and `maxHeaderSize` is read by node when it sets up each new connection's parser — so a
 * changed limit applies to new connections, while open keep-alive connections keep the old one.
 */
export interface ServerSettings {
  /** `common_http_protocol_options.idle_timeout`: keep-alive idle time between requests. */
  keepAliveTimeout: number;
  /** `request_headers_timeout` (408). Envoy's default is none; node's minimum practical value is kept (60 s). */
  headersTimeout: number;
  /** `request_timeout` (408), 0 = none. */
  requestTimeout: number;
  /** `stream_idle_timeout` (408 before the response starts, reset after), 0 = none. Envoy's default is 5 min. */
  streamIdleTimeout: number;
  /**
   * `max_request_headers_kb` in bytes (431 past it). Unset: node's 16 KiB, not Envoy's 60 KiB (the
   * upstream side, undici and typical upstreams, also stop at 16 KiB; set the field to raise both ends).
   */
  maxHeaderSize: number;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  keepAliveTimeout: 60_000,
  headersTimeout: 60_000,
  requestTimeout: 0,
  streamIdleTimeout: 300_000,
  maxHeaderSize: 16 * 1024,
};

export function sameSettings(a: ServerSettings, b: ServerSettings): boolean {
  return (
    a.keepAliveTimeout === b.keepAliveTimeout &&
    a.headersTimeout === b.headersTimeout &&
    a.requestTimeout === b.requestTimeout &&
    a.streamIdleTimeout === b.streamIdleTimeout &&
    a.maxHeaderSize === b.maxHeaderSize
  );
}

export interface ListenerConfig {
  name: string;
  address: string;
  port: number;
  /** From the first HTTP chain's HCM (the defaults for a listener of TCP chains only). */
  settings: ServerSettings;
  /** The connection manager of the only (or default) HTTP filter chain; null when the listener has only TCP chains. */
  connectionManager: ConnectionManager | null;
  /**
   * With several filter chains, or any chain that matches on SNI / transport, terminates TLS or
   * proxies TCP: picks the chain of a connection (null: not served). Null for the plain single-HTTP-chain case.
   */
  chainSelector: FilterChainSelector<ServedChain> | null;
  /** Read the first bytes of each connection for a TLS ClientHello (tls-inspector.ts). */
  inspectTls: boolean;
  /**
   * Some chain proxies TCP: without TLS inspection the chain is chosen (by source address) when the
   * connection opens, not at its first HTTP request. (Absent: false.)
   */
  hasTcpChains?: boolean;
}

/**
 * A served filter chain, HTTP or TCP, with its TLS context when it terminates TLS.
 * Examples: `{cm, tcp: null, tls: null}` (plain HTTP), `{cm: null, tcp, tls}` (TCP after TLS termination).
 */
export type ServedChain = HttpChain | TcpChain;

export interface HttpChain {
  cm: ConnectionManager;
  tcp: null;
  tls: DownstreamTls | null;
}

export interface TcpChain {
  cm: null;
  tcp: TcpProxy;
  tls: DownstreamTls | null;
}

/** The match fields of a filter chain this data plane reads (src/xds/envoy-types.ts types only some). */
interface ChainMatch {
  server_names?: string[];
  transport_protocol?: string;
  source_prefix_ranges?: { address_prefix?: string; prefix_len?: { value?: number } | number }[];
}

function sourceRanges(chain: FilterChain, listener: string, logger: Logger): Cidr[] | undefined {
  const out: Cidr[] = [];
  for (const r of (chain.filter_chain_match as ChainMatch | undefined)?.source_prefix_ranges ?? []) {
    const len = typeof r.prefix_len === 'number' ? r.prefix_len : r.prefix_len?.value;
    const cidr = parseCidr(r.address_prefix ?? '', len);
    if (!cidr) {
      logger.warn('filter chain has an invalid source prefix range; the chain is not served', { listener, range: r.address_prefix });
      return undefined;
    }
    out.push(cidr);
  }
  return out;
}

export interface ListenerCompileContext {
  routeTables: ReadonlyMap<string, RouteTable>;
  clusters: ClusterSet;
  stats: ProxyStats;
  logger: Logger;
  /** The raw route configurations by name (for typed_per_filter_config). */
  routeConfigs?: ReadonlyMap<string, RouteConfiguration>;
  /** Access-log file sinks (null/absent: access logs are not written). */
  sinks?: SinkRegistry | null;
}

/** The listener's config, or null when this data plane does not serve it. Throws on a broken listener. */
export function compileListener(l: Listener, ctx: ListenerCompileContext): ListenerConfig | null {
  if (l.api_listener !== undefined) return null;
  const sa = l.address?.socket_address;
  if (!sa) throw new Error('listener has no socket_address');
  const port = Number(sa.port_value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port_value ${String(sa.port_value)}`);

  const chains: { chain: FilterChain; hcm: HcmConfig | null; tcp: TcpProxy | null; tls: DownstreamTls | null }[] = [];
  for (const chain of l.filter_chains ?? []) {
    const f = chain.filters?.find((x) => x.name === HCM_FILTER_NAME);
    let tcp: TcpProxy | null = null;
    if (f === undefined) {
      try {
        tcp = TcpProxy.fromFilters(chain.filters, { clusters: ctx.clusters, stats: ctx.stats, logger: ctx.logger, sinks: ctx.sinks ?? null, listener: l.name });
      } catch (err) {
        ctx.logger.warn('TCP filter chain rejected; the chain is not served', { listener: l.name, chain: chain.name, err });
        continue;
      }
      if (tcp === null) {
        ctx.logger.warn('filter chain has neither an HTTP connection manager nor a TCP proxy; the chain is not served', {
          listener: l.name,
          chain: chain.name,
          filters: (chain.filters ?? []).map((x) => x.name),
        });
        continue;
      }
    }
    let tls: DownstreamTls | null = null;
    if (chain.transport_socket !== undefined) {
      try {
        tls = DownstreamTls.compile(chain.transport_socket);
      } catch (err) {
        // Never serve a TLS chain as plain HTTP / TCP; the listener's other chains keep serving.
        ctx.logger.warn('filter chain TLS context rejected; the chain is not served', {
          listener: l.name,
          serverNames: (chain.filter_chain_match as ChainMatch | undefined)?.server_names,
          err,
        });
        continue;
      }
    }
    chains.push({ chain, hcm: f === undefined ? null : (f.typed_config as HcmConfig), tcp, tls });
  }
  if (chains.length === 0) return null;
  const hcm = chains.find((c) => c.hcm !== null)?.hcm ?? null;

  const managerOf = (c: HcmConfig, scheme: string): ConnectionManager =>
    ConnectionManager.fromConfig(c, routeTableOf(l.name, c, ctx), ctx.stats, scheme, {
      logger: ctx.logger,
      listener: l.name,
      routeConfig: c.route_config ?? (c.rds?.route_config_name ? (ctx.routeConfigs?.get(c.rds.route_config_name) ?? null) : null),
      accessLogs: compileAccessLogs(c.access_log, ctx.sinks ?? null, ctx.logger, l.name),
    });
  let chainSelector: FilterChainSelector<ServedChain> | null = null;
  let connectionManager: ConnectionManager | null;
  let inspectTls = false;
  const hasTcpChains = chains.some((c) => c.tcp !== null);
  const only = chains.length === 1 ? chains[0]! : null;
  const onlyMatch = only?.chain.filter_chain_match as ChainMatch | undefined;
  if (
    only !== null &&
    only.hcm !== null &&
    only.tls === null &&
    (sourceRanges(only.chain, l.name, ctx.logger) ?? []).length === 0 &&
    (onlyMatch?.server_names ?? []).length === 0 &&
    (onlyMatch?.transport_protocol ?? '') === ''
  ) {
    // The plain single-HTTP-chain listener: no chain choice per connection at all.
    connectionManager = managerOf(only.hcm, 'http');
  } else {
    const candidates: ChainCandidate<ServedChain>[] = [];
    for (const { chain, hcm: c, tcp, tls } of chains) {
      const ranges = sourceRanges(chain, l.name, ctx.logger);
      if (!ranges) continue;
      const match = chain.filter_chain_match as ChainMatch | undefined;
      const serverNames = (match?.server_names ?? []).map((n) => n.toLowerCase());
      const transport = match?.transport_protocol ?? '';
      if (tls !== null || serverNames.length > 0 || transport === 'tls' || tcp?.sniCluster === true) inspectTls = true;
      const value: ServedChain = c !== null ? { cm: managerOf(c, tls === null ? 'http' : 'https'), tcp: null, tls } : { cm: null, tcp: tcp!, tls };
      candidates.push({ ranges, serverNames, transport, value });
    }
    if (candidates.length === 0) return null;
    chainSelector = new FilterChainSelector(candidates);
    const http = candidates.filter((c) => c.value.cm !== null);
    connectionManager = (http.find((c) => c.ranges.length === 0) ?? http[0])?.value.cm ?? null;
  }

  return {
    name: l.name,
    address: sa.address,
    port,
    settings: hcm === null ? DEFAULT_SERVER_SETTINGS : serverSettings(hcm),
    connectionManager,
    chainSelector,
    inspectTls,
    hasTcpChains,
  };
}

/** The node:http settings an HCM asks for. */
export function serverSettings(hcm: HcmConfig): ServerSettings {
  const idle = durationToMs(hcm.common_http_protocol_options?.idle_timeout);
  const requestTimeout = durationToMs(hcm.request_timeout) ?? 0;
  const headersTimeoutCfg = durationToMs(hcm.request_headers_timeout);
  const streamIdle = durationToMs(hcm.stream_idle_timeout);
  const kb = hcm.max_request_headers_kb?.value;
  let headersTimeout = headersTimeoutCfg !== undefined && headersTimeoutCfg > 0 ? headersTimeoutCfg : DEFAULT_SERVER_SETTINGS.headersTimeout;
  // node requires headersTimeout <= requestTimeout when the latter is set.
  if (requestTimeout > 0) headersTimeout = Math.min(headersTimeout, requestTimeout);
  return {
    keepAliveTimeout: idle !== undefined && idle > 0 ? idle : DEFAULT_SERVER_SETTINGS.keepAliveTimeout,
    headersTimeout,
    requestTimeout,
    streamIdleTimeout: streamIdle ?? DEFAULT_SERVER_SETTINGS.streamIdleTimeout,
    maxHeaderSize: kb !== undefined && kb > 0 ? Math.min(kb, 8192) * 1024 : DEFAULT_SERVER_SETTINGS.maxHeaderSize,
  };
}

/** The route table an HCM names (RDS in the same snapshot, or inline). */
function routeTableOf(listener: string, hcm: HcmConfig, ctx: ListenerCompileContext): RouteTable | null {
  if (hcm.rds?.route_config_name) {
    const table = ctx.routeTables.get(hcm.rds.route_config_name) ?? null;
    if (table === null) {
      ctx.logger.warn('route configuration named by the listener is not in the snapshot; every request gets 404', {
        listener,
        routeConfig: hcm.rds.route_config_name,
      });
    }
    return table;
  }
  if (hcm.route_config) return compileRouteConfiguration(hcm.route_config, ctx.clusters, ctx.logger);
  return null;
}
