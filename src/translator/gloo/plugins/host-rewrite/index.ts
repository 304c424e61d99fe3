/**
 * Host rewriting for forwarded requests: `options.hostRewrite` → `host_rewrite_literal`,
 * `options.autoHostRewrite` → `auto_host_rewrite` (the upstream endpoint's hostname).
 */
import type { Plugin } from '../../plugin.js';

export const hostRewritePlugin: Plugin = {
  name: 'host-rewrite',
  processRoute(_params, route, out) {
    const o = route.options;
    if (!o || !out.route) return;
    if (o.hostRewrite !== undefined) out.route.host_rewrite_literal = o.hostRewrite;
    else if (o.autoHostRewrite !== undefined) out.route.auto_host_rewrite = { value: o.autoHostRewrite };
  },
};
