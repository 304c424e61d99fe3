/**
 * The plugin registry: buckets plugins by hook once, so translation walks only the plugins that
 * implement each hook.
 */
import type { Plugin } from './plugin.js';
import { staticPlugin } from './plugins/static/index.js';
import { pipePlugin } from './plugins/pipe/index.js';
import { basicRoutePlugin } from './plugins/basic-route/index.js';
import { redirectPlugin } from './plugins/redirect/index.js';
import { directResponsePlugin } from './plugins/direct-response/index.js';
import { prefixRewritePlugin } from './plugins/prefix-rewrite/index.js';
import { timeoutPlugin } from './plugins/timeout/index.js';
import { hostRewritePlugin } from './plugins/host-rewrite/index.js';
import { upstreamSslPlugin } from './plugins/ssl/index.js';
import { connectionConfigPlugin } from './plugins/connection-config/index.js';
import { useHttp2Plugin } from './plugins/use-http2/index.js';
import { loadBalancerPlugin } from './plugins/load-balancer/index.js';
import { healthChecksPlugin } from './plugins/health-checks/index.js';
import { outlierDetectionPlugin } from './plugins/outlier-detection/index.js';
import { circuitBreakersPlugin } from './plugins/circuit-breakers/index.js';
import { dnsPlugin } from './plugins/dns/index.js';
import { retriesPlugin } from './plugins/retries/index.js';
import { lbHashPlugin } from './plugins/lb-hash/index.js';
import { subsetPlugin } from './plugins/subset/index.js';
import { shadowingPlugin } from './plugins/shadowing/index.js';
import { upgradesPlugin } from './plugins/upgrades/index.js';
import { headerManipulationPlugin } from './plugins/header-manipulation/index.js';
import { regexRewritePlugin } from './plugins/regex-rewrite/index.js';
import { envoyMetadataPlugin } from './plugins/envoy-metadata/index.js';
import { faultsPlugin } from './plugins/faults/index.js';
import { corsPlugin } from './plugins/cors/index.js';
import { transformationPlugin } from './plugins/transformation/index.js';
import { bufferPlugin } from './plugins/buffer/index.js';
import { csrfPlugin } from './plugins/csrf/index.js';
import { gzipPlugin } from './plugins/gzip/index.js';
import { healthCheckPlugin } from './plugins/health-check/index.js';
import { grpcWebPlugin } from './plugins/grpc-web/index.js';
import { hcmSettingsPlugin } from './plugins/hcm-settings/index.js';
import { accessLogPlugin } from './plugins/access-log/index.js';
import { listenerOptionsPlugin } from './plugins/listener-options/index.js';

type With<K extends keyof Plugin> = Plugin & Required<Pick<Plugin, K>>;

export class PluginRegistry {
  readonly upstream: With<'processUpstream'>[] = [];
  readonly virtualHost: With<'processVirtualHost'>[] = [];
  readonly route: With<'processRoute'>[] = [];
  readonly weightedDestination: With<'processWeightedDestination'>[] = [];
  readonly httpFilters: With<'httpFilters'>[] = [];
  readonly httpConnectionManager: With<'processHttpConnectionManager'>[] = [];
  readonly listener: With<'processListener'>[] = [];

  constructor(readonly plugins: readonly Plugin[]) {
    for (const p of plugins) {
      if (p.processUpstream) this.upstream.push(p as With<'processUpstream'>);
      if (p.processVirtualHost) this.virtualHost.push(p as With<'processVirtualHost'>);
      if (p.processRoute) this.route.push(p as With<'processRoute'>);
      if (p.processWeightedDestination) this.weightedDestination.push(p as With<'processWeightedDestination'>);
      if (p.httpFilters) this.httpFilters.push(p as With<'httpFilters'>);
      if (p.processHttpConnectionManager) this.httpConnectionManager.push(p as With<'processHttpConnectionManager'>);
      if (p.processListener) this.listener.push(p as With<'processListener'>);
    }
  }
}

/** The plugins gloo-ts ships, in the order their hooks run. */
export function defaultPlugins(): Plugin[] {
  return [
    // Upstream type plugins first: the later upstream plugins see the endpoints and cluster type.
    staticPlugin,
    pipePlugin,
    upstreamSslPlugin,
    connectionConfigPlugin,
    useHttp2Plugin,
    loadBalancerPlugin,
    healthChecksPlugin,
    outlierDetectionPlugin,
    circuitBreakersPlugin,
    dnsPlugin,
    basicRoutePlugin,
    redirectPlugin,
    directResponsePlugin,
    prefixRewritePlugin,
    regexRewritePlugin,
    timeoutPlugin,
    hostRewritePlugin,
    retriesPlugin,
    lbHashPlugin,
    subsetPlugin,
    shadowingPlugin,
    upgradesPlugin,
    headerManipulationPlugin,
    envoyMetadataPlugin,
    // Plugins with HTTP filters: within a stage, filters run in this order (grpc-web after any authz plugin).
    gzipPlugin,
    faultsPlugin,
    corsPlugin,
    healthCheckPlugin,
    grpcWebPlugin,
    transformationPlugin,
    bufferPlugin,
    csrfPlugin,
    hcmSettingsPlugin,
    accessLogPlugin,
    listenerOptionsPlugin,
  ];
}

let shared: PluginRegistry | undefined;
/** The registry of the default plugins, built once. */
export function defaultRegistry(): PluginRegistry {
  return (shared ??= new PluginRegistry(defaultPlugins()));
}
