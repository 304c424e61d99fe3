/**
 * TCP listeners (a Gateway's `tcpGateway`, the TCP chains of a hybrid gateway) → Envoy filter chains
 * running `envoy.filters.network.tcp_proxy` (spec §2.7.1): one chain per tcpHost, to its cluster
 * (`single`) or weighted clusters (`multi` / UpstreamGroup), with `tcpProxySettings`
 * (`idle_timeout`, `max_connect_attempts`). A host whose sslConfig has `sniDomains` is matched on
 * them (`filter_chain_match.server_names`); with a certificate source it terminates TLS
 * (DownstreamTlsContext), without one it passes TLS through untouched. Two hosts with the same match
 * would make Envoy refuse the whole listener, so the later one is left out with an error.
 * `forwardSniClusterName` puts Envoy's `envoy.filters.network.sni_cluster` filter before tcp_proxy
 * (whose cluster is then empty): the connection's SNI names the cluster, as in Gloo. The listener's
 * `options.accessLoggingService` file sinks become tcp_proxy `access_log`s (Gloo does the same).
 *
 * gateway-proxy serves these chains (src/proxy/tcp, chosen per connection in src/proxy/listener).
 */
import type { TcpListener } from '../../../../api/kinds/proxy.js';
import type { TcpHost } from '../../../../api/types/listener.js';
import { parseDurationMs } from '../../../../api/schema.js';
import { TYPE_URL, durationFromMs, type AccessLog, type TypedConfig } from '../../../../xds/envoy-types.js';
import type { ProblemSink, TranslationParams } from '../../plugin.js';
import type { MatchedFilterChain, EnvoyFilterChainMatch } from '../../listener.js';
import { destinationCluster } from '../../route-action.js';
import { clusterName } from '../../names.js';
import { downstreamTls } from '../ssl/index.js';

export const TCP_PROXY_FILTER_NAME = 'envoy.filters.network.tcp_proxy';

/** The tcp_proxy destination of a host: `{cluster}` or `{weighted_clusters}`, or undefined (reported). */
function tcpDestination(params: TranslationParams, host: TcpHost, report: ProblemSink): Record<string, unknown> | undefined {
  const d = host.destination;
  if (d?.single) {
    const c = destinationCluster(params, report, d.single);
    return c === undefined ? undefined : { cluster: c };
  }
  let entries: { name: string; weight: number }[] | undefined;
  if (d?.multi) {
    entries = [];
    for (const w of d.multi.destinations ?? []) {
      if (!w.destination) continue;
      const c = destinationCluster(params, report, w.destination);
      if (c !== undefined) entries.push({ name: c, weight: w.weight ?? 0 });
    }
  } else if (d?.upstreamGroup) {
    const key = `${d.upstreamGroup.namespace ?? ''}.${d.upstreamGroup.name ?? ''}`;
    const group = params.upstreamGroups.get(key);
    if (!group) {
      report.warning(`TCP host ${host.name ?? ''}: *v1.UpstreamGroup { ${key} } not found`);
      return { cluster: clusterName(d.upstreamGroup) };
    }
    entries = [];
    for (const w of group.spec.destinations ?? []) {
      if (!w.destination) continue;
      let dest = w.destination;
      if (dest.upstream && !dest.upstream.namespace) dest = { ...dest, upstream: { ...dest.upstream, namespace: group.metadata.namespace } };
      const c = destinationCluster(params, report, dest);
      if (c !== undefined) entries.push({ name: c, weight: w.weight ?? 0 });
    }
  } else if (d?.forwardSniClusterName) {
    // Overwritten per connection by the sni_cluster filter.
    return { cluster: '' };
  } else {
    report.error(`TCP host ${host.name ?? ''}: no destination`);
    return undefined;
  }
  if (!entries.some((e) => e.weight > 0)) {
    report.error(`TCP host ${host.name ?? ''}: a multi destination must have at least one destination with a weight greater than 0`);
    return undefined;
  }
  // tcp_proxy's ClusterWeight.weight is a plain uint32 (≥ 1): zero-weight entries are left out.
  return { weighted_clusters: { clusters: entries.filter((e) => e.weight > 0) } };
}

/** Envoy's sni_cluster network filter (no settings): the SNI becomes tcp_proxy's cluster. */
export const SNI_CLUSTER_FILTER_NAME = 'envoy.filters.network.sni_cluster';

/**
 * The filter chains of a TCP listener. `base` is merged into each chain's match (a hybrid matcher's
 * source ranges / SNI); `baseSsl` is the hybrid matcher's sslConfig, used for hosts without their own;
 * `accessLog` the (parent) listener's access logs.
 */
export function tcpFilterChains(
  params: TranslationParams,
  tcp: TcpListener,
  report: ProblemSink,
  base?: EnvoyFilterChainMatch,
  baseSsl?: TcpHost['sslConfig'],
  missingSecretIsWarning = false,
  accessLog: readonly AccessLog[] = [],
): MatchedFilterChain[] {
  const chains: MatchedFilterChain[] = [];
  const seen = new Set<string>();
  const settings = tcp.options?.tcpProxySettings;
  for (const host of tcp.tcpHosts ?? []) {
    const dest = tcpDestination(params, host, report);
    if (!dest) continue;
    const proxy: TypedConfig = { '@type': TYPE_URL.tcpProxy, stat_prefix: tcp.statPrefix || 'tcp', ...dest };
    if (settings?.idleTimeout !== undefined) {
      const ms = parseDurationMs(settings.idleTimeout);
      if (ms !== undefined) proxy.idle_timeout = durationFromMs(ms);
    }
    if (settings?.maxConnectAttempts !== undefined) proxy.max_connect_attempts = { value: settings.maxConnectAttempts };
    if (accessLog.length > 0) proxy.access_log = structuredClone(accessLog);
    const filters: MatchedFilterChain['filters'] = [{ name: TCP_PROXY_FILTER_NAME, typed_config: proxy }];
    if (host.destination?.forwardSniClusterName) filters.unshift({ name: SNI_CLUSTER_FILTER_NAME, typed_config: { '@type': TYPE_URL.sniCluster } });
    const chain: MatchedFilterChain = { name: host.name || undefined, filters };
    if (!chain.name) delete chain.name;
    const match: EnvoyFilterChainMatch = { ...(base ?? {}) };
    const ssl = host.sslConfig ?? baseSsl;
    if (host.sslConfig?.sniDomains?.length) match.server_names = [...host.sslConfig.sniDomains];
    if (ssl) {
      const tls = downstreamTls(params, ssl, report, false, missingSecretIsWarning);
      if (tls === undefined) continue;
      if (tls !== 'passthrough') {
        chain.transport_socket = tls.transport_socket;
        if (tls.transport_socket_connect_timeout) chain.transport_socket_connect_timeout = tls.transport_socket_connect_timeout;
      }
    }
    const key = JSON.stringify([match.server_names ?? [], match.source_prefix_ranges ?? []]);
    if (seen.has(key)) {
      report.error(`TCP host ${host.name ?? ''}: another TCP host of this listener has the same filter chain match (SNI domains ${JSON.stringify(match.server_names ?? [])}); the host is left out`);
      continue;
    }
    seen.add(key);
    if (Object.keys(match).length > 0) chain.filter_chain_match = match;
    chains.push(chain);
  }
  return chains;
}
