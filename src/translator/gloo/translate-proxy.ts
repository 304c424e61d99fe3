/**
 * The gloo translator: one Proxy + the snapshot's Upstreams → the Envoy resources of that proxy's
 * node key (listeners, route configurations, clusters, endpoints), through the plugins. Problems
 * found on Proxy sub-resources are reported on the Gateways / VirtualServices they came from (and
 * on the Proxy).
 *
 * Listener kinds (spec §8.3): an HTTP listener gets one HTTP filter chain, or with
 * `sslConfigurations` one TLS filter chain per distinct SslConfig (configs equal but for their SNI
 * domains are merged, as Gloo does; `server_names` = sniDomains, none ⇒ catch-all), all sharing the
 * listener's RouteConfiguration; a hybrid listener gets one filter chain per matched listener (HTTP
 * with its own routes, TLS from the matcher's sslConfig; TCP through tcp_proxy); a TCP listener gets
 * tcp_proxy chains (plugins/tcp-proxy, with the listener's access logs). gateway-proxy serves all of
 * them (src/proxy/listener/compile-listener.ts: HTTP and TCP chains, TLS termination and passthrough).
 * Clusters are translated first, so routes know which Upstreams have errors. The served
 * domains also get api_listener Listeners for proxyless gRPC clients (api-listeners.ts).
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { ProxyListener } from '../../api/kinds/proxy.js';
import type { SslConfig } from '../../api/types/ssl.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import type { AccessLog, Listener, RouteConfiguration, XdsSnapshot } from '../../xds/envoy-types.js';
import { Reports } from '../reports.js';
import { internalError } from '../internal-error.js';
import type { InvalidRoutePolicy, ListenerParams, ProblemSink, TranslationParams } from './plugin.js';
import { defaultRegistry, type PluginRegistry } from './registry.js';
import { translateClusters } from './clusters.js';
import { envoyListener, filterChainMatch, finishListener, httpFilterChain, translateHttpListener, type MatchedFilterChain } from './listener.js';
import { translateRouteConfiguration } from './route-config.js';
import { translateApiListeners } from './api-listeners.js';
import { hybridRouteConfigName, matcherHash, routeConfigName } from './names.js';
import { downstreamTls } from './plugins/ssl/index.js';
import { tcpFilterChains } from './plugins/tcp-proxy/index.js';
import { accessLogs } from './plugins/access-log/index.js';
import { settingsOf } from '../settings.js';
import { sourceSink } from './problem-sink.js';
import { identityFingerprint, objectId, type MemoTable } from '../translation-cache.js';

export interface ProxyTranslation {
  snapshot: Omit<XdsSnapshot, 'version'>;
  reports: Reports;
}

export interface ProxyTranslationOptions {
  /** `settings.gloo.invalidConfigPolicy` (default: invalid routes are not replaced). */
  invalidRoutes?: InvalidRoutePolicy | undefined;
  /** Memoised Envoy virtual hosts from earlier translations (incremental translation). */
  cache?: MemoTable<unknown> | undefined;
}

export function translateProxy(
  proxy: Resource<'Proxy'>,
  snapshot: ApiSnapshot,
  registry: PluginRegistry = defaultRegistry(),
  opts: ProxyTranslationOptions = {},
): ProxyTranslation {
  const reports = new Reports();
  reports.accept(proxy);
  const params: TranslationParams = {
    snapshot,
    proxy,
    upstreams: new Map(snapshot.upstreams.map((u) => [resourceKey(u), u])),
    upstreamGroups: new Map(snapshot.upstreamGroups.map((g) => [resourceKey(g), g])),
    reports,
    invalidRoutes: opts.invalidRoutes,
  };
  let clusters: ReturnType<typeof translateClusters>['clusters'] = [];
  let endpoints: ReturnType<typeof translateClusters>['endpoints'] = [];
  try {
    ({ clusters, endpoints } = translateClusters(params, registry));
  } catch (err) {
    reports.addError(proxy, internalError(err));
  }
  if (opts.cache) {
    // What a route's translation can depend on besides its Proxy virtual host: which Upstreams and
    // UpstreamGroups exist (and whether they have errors) and the invalid-route policy.
    let fp = JSON.stringify(opts.invalidRoutes ?? null);
    for (const u of snapshot.upstreams) fp += `|${objectId(u)}${reports.hasErrors(u) ? '!' : ''}`;
    fp += '#' + identityFingerprint(snapshot.upstreamGroups);
    // headerSecretRef values come from Secrets.
    fp += '#' + identityFingerprint(snapshot.secrets);
    params.memo = { table: opts.cache, fingerprint: fp };
  }
  const listeners: Listener[] = [];
  const routes: RouteConfiguration[] = [];
  const warnMissingSecret = settingsOf(snapshot, proxy.metadata.namespace).spec.gateway?.validation?.warnMissingTlsSecret === true;
  for (const l of proxy.spec.listeners ?? []) {
    const report = sourceSink(reports, proxy, l.metadataStatic);
    const listenerParams: ListenerParams = { ...params, listener: l, report };
    try {
      if (l.httpListener) {
        if (Array.isArray(l.sslConfigurations) && l.sslConfigurations.length > 0) {
          const chains = sslHttpChains(listenerParams, registry, l, l.sslConfigurations, report, warnMissingSecret);
          if (chains.length === 0) continue;
          listeners.push(finishListener(listenerParams, registry, l, envoyListener(l, chains)));
        } else {
          listeners.push(translateHttpListener(listenerParams, registry, l));
        }
        routes.push(translateRouteConfiguration(params, registry, l));
      } else if (l.hybridListener) {
        const out = translateHybridListener(params, registry, l, report, warnMissingSecret);
        if (out) {
          listeners.push(finishListener(listenerParams, registry, l, out.listener));
          routes.push(...out.routes);
        }
      } else if (l.tcpListener) {
        const chains = tcpFilterChains(params, l.tcpListener, report, undefined, undefined, warnMissingSecret, listenerAccessLogs(l));
        if (chains.length > 0) listeners.push(finishListener(listenerParams, registry, l, envoyListener(l, chains)));
      }
      // aggregateListener: never produced by the gateway translator; reported as an unsupported field.
    } catch (err) {
      report.error(internalError(err));
    }
  }
  // Proxyless gRPC: an api_listener Listener (and RouteConfiguration) per served domain.
  try {
    const api = translateApiListeners(listeners, routes);
    listeners.push(...api.listeners);
    routes.push(...api.routes);
  } catch (err) {
    reports.addError(proxy, internalError(err));
  }
  return { snapshot: { listeners, routes, clusters, endpoints }, reports };
}

/**
 * The TLS filter chains of an HTTP listener: one per distinct SslConfig, each terminating TLS with
 * its certificates and running the same HTTP connection manager (routes `<listener>-routes`).
 * Configs that differ only in their sniDomains are merged (one with no sniDomains makes the merged
 * chain a catch-all). Two chains claiming one server name, or two catch-alls, would make Envoy
 * refuse the whole listener: the later chain is left out with an error.
 */
function sslHttpChains(
  params: ListenerParams,
  registry: PluginRegistry,
  l: ProxyListener,
  configs: readonly SslConfig[],
  report: ProblemSink,
  warnMissingSecret: boolean,
): MatchedFilterChain[] {
  const name = l.name ?? '';
  const merged = new Map<string, SslConfig>();
  // A problem with an sslConfig (a missing secret) is reported on the VirtualServices that carry it
  // (and the Proxy), not on the Gateway, so the other VirtualServices of the listener stay Accepted.
  const sinks = new Map<string, ProblemSink[]>();
  for (const vh of l.httpListener?.virtualHosts ?? []) {
    for (const src of vh.metadataStatic?.sources ?? []) {
      if (src.resourceKind !== '*v1.VirtualService') continue;
      const vs = params.snapshot.virtualServices.find((v) => v.metadata.name === src.resourceRef?.name && v.metadata.namespace === src.resourceRef?.namespace);
      if (!vs?.spec.sslConfig) continue;
      const { sniDomains: _sni, ...rest } = vs.spec.sslConfig;
      const key = matcherHash(rest);
      sinks.set(key, [...(sinks.get(key) ?? []), sourceSink(params.reports, params.proxy, vh.metadataStatic)]);
    }
  }
  const sinkOf = (key: string): ProblemSink => {
    const list = sinks.get(key);
    if (!list || list.length === 0) return report;
    return { error: (m) => list.forEach((x) => x.error(m)), warning: (m) => list.forEach((x) => x.warning(m)) };
  };
  for (const c of configs) {
    const { sniDomains, ...rest } = c;
    const key = matcherHash(rest);
    const prev = merged.get(key);
    if (!prev) merged.set(key, { ...c, sniDomains: [...(sniDomains ?? [])] });
    else if ((prev.sniDomains ?? []).length === 0 || (sniDomains ?? []).length === 0) prev.sniDomains = [];
    else prev.sniDomains = [...new Set([...(prev.sniDomains ?? []), ...(sniDomains ?? [])])];
  }
  const base = httpFilterChain(params, registry, l, routeConfigName(name));
  const claimed = new Set<string>();
  let catchAll = false;
  const chains: MatchedFilterChain[] = [];
  for (const [key, ssl] of merged) {
    const names = ssl.sniDomains ?? [];
    const clash = names.length === 0 ? (catchAll ? 'an empty sniDomains list (catch-all)' : undefined) : names.find((n) => claimed.has(n));
    if (clash !== undefined) {
      report.error(`listener ${name}: two different sslConfigs claim ${names.length === 0 ? clash : `the SNI domain ${clash}`}; the second filter chain is left out`);
      continue;
    }
    const tls = downstreamTls(params, ssl, sinkOf(key), true, warnMissingSecret);
    if (tls === undefined) continue;
    if (tls === 'passthrough') {
      sinkOf(key).error(`listener ${name}: an sslConfig of an HTTP listener needs a secretRef, sslFiles or sds`);
      continue;
    }
    if (names.length === 0) catchAll = true;
    for (const n of names) claimed.add(n);
    const chain: MatchedFilterChain = { ...base, filters: structuredClone(base.filters), transport_socket: tls.transport_socket };
    if (tls.transport_socket_connect_timeout) chain.transport_socket_connect_timeout = tls.transport_socket_connect_timeout;
    if (names.length > 0) chain.filter_chain_match = { server_names: [...names] };
    chains.push(chain);
  }
  return chains;
}

/** The access logs of a listener's `options.accessLoggingService` (Gloo puts them on its TCP proxies too). */
function listenerAccessLogs(l: ProxyListener): AccessLog[] {
  return accessLogs(l.options?.accessLoggingService?.accessLog ?? []);
}

/** A hybrid listener: one filter chain (and, for HTTP, one RouteConfiguration) per matched listener. */
function translateHybridListener(
  params: TranslationParams,
  registry: PluginRegistry,
  l: ProxyListener,
  report: ProblemSink,
  warnMissingSecret: boolean,
): { listener: Listener; routes: RouteConfiguration[] } | undefined {
  const chains: MatchedFilterChain[] = [];
  const routes: RouteConfiguration[] = [];
  const name = l.name ?? '';
  for (const m of l.hybridListener?.matchedListeners ?? []) {
    const hash = matcherHash(m.matcher);
    if (m.tcpListener) {
      chains.push(...tcpFilterChains(params, m.tcpListener, report, filterChainMatch(m.matcher), m.matcher?.sslConfig, warnMissingSecret, listenerAccessLogs(l)));
      continue;
    }
    if (!m.httpListener) continue;
    // The matched HTTP listener seen as a listener of its own, for the plugins and the route config.
    const asListener: ProxyListener = { ...l, hybridListener: undefined, httpListener: m.httpListener };
    delete asListener.hybridListener;
    const routesName = hybridRouteConfigName(name, m.matcher);
    const listenerParams: ListenerParams = { ...params, listener: asListener, report };
    const chain: MatchedFilterChain = httpFilterChain(listenerParams, registry, asListener, routesName);
    const match = filterChainMatch(m.matcher);
    if (match) chain.filter_chain_match = match;
    // Gloo applies the matcher's sslConfig to a matched HTTP chain (a VirtualService's is ignored).
    const ssl = m.matcher?.sslConfig ?? m.sslConfigurations?.[0];
    if (ssl) {
      const tls = downstreamTls(params, ssl, report, true, warnMissingSecret);
      if (tls === undefined) continue;
      if (tls === 'passthrough') {
        report.error(`listener ${name}: the sslConfig of the HTTP filter chain ${hash} needs a secretRef, sslFiles or sds`);
        continue;
      }
      chain.transport_socket = tls.transport_socket;
      if (tls.transport_socket_connect_timeout) chain.transport_socket_connect_timeout = tls.transport_socket_connect_timeout;
    }
    chains.push(chain);
    routes.push(translateRouteConfiguration(params, registry, asListener, routesName));
  }
  if (chains.length === 0) return undefined;
  return { listener: envoyListener(l, chains), routes };
}
