/**
 * `options.prefixRewrite` → `route.prefix_rewrite`: the matched prefix (or whole path for exact
 * matchers) is replaced before forwarding. Only meaningful on routes that forward (routeAction).
 */
import type { Plugin } from '../../plugin.js';

export const prefixRewritePlugin: Plugin = {
  name: 'prefix-rewrite',
  processRoute(params, route, out) {
    const rewrite = route.options?.prefixRewrite;
    if (rewrite === undefined) return;
    if (!out.route) {
      params.report.warning(`route ${params.routeIndex}: options.prefixRewrite only applies to routes with a routeAction; ignored`);
      return;
    }
    out.route.prefix_rewrite = rewrite;
  },
};
