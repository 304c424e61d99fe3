/**
 * The gloo translator: one Proxy + the snapshot's Upstreams → the Envoy resources of that proxy's
 * node key (listeners, route configurations, clusters, endpoints), through the plugins. Problems
 * found on Proxy sub-resources are reported on the Gateways / VirtualServices they came from (and
 * on the Proxy).
 *
 * Listener kinds: HTTP listeners are served; a hybrid listener gets one filter chain per matched
 * HTTP listener; TCP listeners and the TCP chains of hybrid listeners are carried in the Proxy but
 * not emitted (Warning "TCP proxying is not served yet", issue 7), as are listeners and chains with
 * TLS (Warning "TLS is not served yet": better a closed port than plain HTTP where clients expect
 * TLS). Clusters are translated first, so routes know which Upstreams have errors.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { ProxyListener } from '../../api/kinds/proxy.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import type { Listener, RouteConfiguration, XdsSnapshot } from '../../xds/envoy-types.js';
import { Reports } from '../reports.js';
import { internalError } from '../internal-error.js';
import type { InvalidRoutePolicy, ListenerParams, ProblemSink, TranslationParams } from './plugin.js';
import { defaultRegistry, type PluginRegistry } from './registry.js';
import { translateClusters } from './clusters.js';
import { envoyListener, filterChainMatch, httpFilterChain, translateHttpListener, type MatchedFilterChain } from './listener.js';
import { translateRouteConfiguration } from './route-config.js';
import { hybridRouteConfigName, matcherHash } from './names.js';
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
  let clusters: ReturnType<typeof translateClusters> = [];
  try {
    clusters = translateClusters(params, registry);
  } catch (err) {
    reports.addError(proxy, internalError(err));
  }
  if (opts.cache) {
    // What a route's translation can depend on besides its Proxy virtual host: which Upstreams and
    // UpstreamGroups exist (and whether they have errors) and the invalid-route policy.
    let fp = JSON.stringify(opts.invalidRoutes ?? null);
    for (const u of snapshot.upstreams) fp += `|${objectId(u)}${reports.hasErrors(u) ? '!' : ''}`;
    fp += '#' + identityFingerprint(snapshot.upstreamGroups);
    params.memo = { table: opts.cache, fingerprint: fp };
  }
  const listeners: Listener[] = [];
  const routes: RouteConfiguration[] = [];
  for (const l of proxy.spec.listeners ?? []) {
    const report = sourceSink(reports, proxy, l.metadataStatic);
    try {
      if (l.httpListener) {
        if (Array.isArray(l.sslConfigurations) && l.sslConfigurations.length > 0) {
          report.warning(`TLS is not served yet: listener ${l.name ?? ''} is not opened`);
          continue;
        }
        listeners.push(translateHttpListener({ ...params, listener: l, report }, registry, l));
        routes.push(translateRouteConfiguration(params, registry, l));
      } else if (l.hybridListener) {
        const out = translateHybridListener(params, registry, l, report);
        if (out) {
          listeners.push(out.listener);
          routes.push(...out.routes);
        }
      } else if (l.tcpListener) {
        report.warning(`TCP proxying is not served yet: listener ${l.name ?? ''} is not opened`);
      }
      // aggregateListener: never produced by the gateway translator; reported as an unsupported field.
    } catch (err) {
      report.error(internalError(err));
    }
  }
  return { snapshot: { listeners, routes, clusters, endpoints: [] }, reports };
}

/** A hybrid listener: one HTTP filter chain (and RouteConfiguration) per servable matched HTTP listener. */
function translateHybridListener(
  params: TranslationParams,
  registry: PluginRegistry,
  l: ProxyListener,
  report: ProblemSink,
): { listener: Listener; routes: RouteConfiguration[] } | undefined {
  const chains: MatchedFilterChain[] = [];
  const routes: RouteConfiguration[] = [];
  const name = l.name ?? '';
  for (const m of l.hybridListener?.matchedListeners ?? []) {
    const hash = matcherHash(m.matcher);
    if (m.tcpListener) {
      report.warning(`TCP proxying is not served yet: the TCP filter chain ${hash} of listener ${name} is not opened`);
      continue;
    }
    if (!m.httpListener) continue;
    if (m.matcher?.sslConfig || (m.sslConfigurations ?? []).length > 0) {
      report.warning(`TLS is not served yet: the filter chain ${hash} of listener ${name} is not opened`);
      continue;
    }
    // The matched HTTP listener seen as a listener of its own, for the plugins and the route config.
    const asListener: ProxyListener = { ...l, hybridListener: undefined, httpListener: m.httpListener };
    delete asListener.hybridListener;
    const routesName = hybridRouteConfigName(name, m.matcher);
    const listenerParams: ListenerParams = { ...params, listener: asListener, report };
    const chain: MatchedFilterChain = httpFilterChain(listenerParams, registry, asListener, routesName);
    const match = filterChainMatch(m.matcher);
    if (match) chain.filter_chain_match = match;
    chains.push(chain);
    routes.push(translateRouteConfiguration(params, registry, asListener, routesName));
  }
  if (chains.length === 0) return undefined;
  return { listener: envoyListener(l, chains), routes };
}
