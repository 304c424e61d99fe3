/**
 * The plugin registry: buckets plugins by hook once, so translation walks only the plugins that
 * implement each hook.
 */
import type { Plugin } from './plugin.js';
import { staticPlugin } from './plugins/static/index.js';
import { basicRoutePlugin } from './plugins/basic-route/index.js';
import { redirectPlugin } from './plugins/redirect/index.js';
import { directResponsePlugin } from './plugins/direct-response/index.js';
import { prefixRewritePlugin } from './plugins/prefix-rewrite/index.js';
import { timeoutPlugin } from './plugins/timeout/index.js';
import { hostRewritePlugin } from './plugins/host-rewrite/index.js';

type With<K extends keyof Plugin> = Plugin & Required<Pick<Plugin, K>>;

export class PluginRegistry {
  readonly upstream: With<'processUpstream'>[] = [];
  readonly virtualHost: With<'processVirtualHost'>[] = [];
  readonly route: With<'processRoute'>[] = [];
  readonly httpFilters: With<'httpFilters'>[] = [];

  constructor(readonly plugins: readonly Plugin[]) {
    for (const p of plugins) {
      if (p.processUpstream) this.upstream.push(p as With<'processUpstream'>);
      if (p.processVirtualHost) this.virtualHost.push(p as With<'processVirtualHost'>);
      if (p.processRoute) this.route.push(p as With<'processRoute'>);
      if (p.httpFilters) this.httpFilters.push(p as With<'httpFilters'>);
    }
  }
}

/** The plugins gloo-ts ships, in the order their hooks run. */
export function defaultPlugins(): Plugin[] {
  return [staticPlugin, basicRoutePlugin, redirectPlugin, directResponsePlugin, prefixRewritePlugin, timeoutPlugin, hostRewritePlugin];
}

let shared: PluginRegistry | undefined;
/** The registry of the default plugins, built once. */
export function defaultRegistry(): PluginRegistry {
  return (shared ??= new PluginRegistry(defaultPlugins()));
}
