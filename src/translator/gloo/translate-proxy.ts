/**
 * The gloo translator: one Proxy + the snapshot's Upstreams → the Envoy resources of that proxy's
 * node key (listeners, route configurations, clusters, endpoints), through the plugins. Problems
 * found on Proxy sub-resources are reported on the Gateways / VirtualServices they came from.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import type { Listener, RouteConfiguration, XdsSnapshot } from '../../xds/envoy-types.js';
import { Reports } from '../reports.js';
import { internalError } from '../internal-error.js';
import type { TranslationParams } from './plugin.js';
import { defaultRegistry, type PluginRegistry } from './registry.js';
import { translateClusters } from './clusters.js';
import { translateHttpListener } from './listener.js';
import { translateRouteConfiguration } from './route-config.js';
import { sourceSink } from './problem-sink.js';

export interface ProxyTranslation {
  snapshot: Omit<XdsSnapshot, 'version'>;
  reports: Reports;
}

export function translateProxy(proxy: Resource<'Proxy'>, snapshot: ApiSnapshot, registry: PluginRegistry = defaultRegistry()): ProxyTranslation {
  const reports = new Reports();
  reports.accept(proxy);
  const params: TranslationParams = {
    snapshot,
    proxy,
    upstreams: new Map(snapshot.upstreams.map((u) => [resourceKey(u), u])),
    upstreamGroups: new Map(snapshot.upstreamGroups.map((g) => [resourceKey(g), g])),
    reports,
  };
  const listeners: Listener[] = [];
  const routes: RouteConfiguration[] = [];
  for (const l of proxy.spec.listeners ?? []) {
    const report = sourceSink(reports, proxy, l.metadataStatic);
    if (!l.httpListener) continue; // tcp / hybrid / aggregate: reported as unsupported fields
    if (Array.isArray(l.sslConfigurations) && l.sslConfigurations.length > 0) {
      // Better a closed port than plain HTTP where clients expect TLS.
      report.warning(`TLS is not served yet: listener ${l.name ?? ''} is not opened`);
      continue;
    }
    try {
      const listener = translateHttpListener({ ...params, listener: l, report }, registry, l);
      const routeConfig = translateRouteConfiguration(params, registry, l);
      listeners.push(listener);
      routes.push(routeConfig);
    } catch (err) {
      report.error(internalError(err));
    }
  }
  let clusters: ReturnType<typeof translateClusters> = [];
  try {
    clusters = translateClusters(params, registry);
  } catch (err) {
    reports.addError(proxy, internalError(err));
  }
  return { snapshot: { listeners, routes, clusters, endpoints: [] }, reports };
}
