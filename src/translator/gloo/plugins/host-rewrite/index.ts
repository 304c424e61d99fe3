/**
 * Host rewriting for forwarded requests (one of, spec §2.5.1): `options.hostRewrite` →
 * `host_rewrite_literal`, `options.autoHostRewrite` → `auto_host_rewrite` (the upstream endpoint's
 * hostname), `hostRewritePathRegex` → `host_rewrite_path_regex` (RE2 on the path),
 * `hostRewriteHeader` → `host_rewrite_header`; plus `appendXForwardedHost` →
 * `append_x_forwarded_host` (the original Host goes to `x-forwarded-host`).
 */
import type { Plugin } from '../../plugin.js';
import { re2 } from '../basic-route/index.js';

export const hostRewritePlugin: Plugin = {
  name: 'host-rewrite',
  processRoute(_params, route, out) {
    const o = route.options;
    if (!o || !out.route) return;
    if (o.hostRewrite !== undefined) out.route.host_rewrite_literal = o.hostRewrite;
    else if (o.autoHostRewrite !== undefined) out.route.auto_host_rewrite = { value: o.autoHostRewrite };
    else if (o.hostRewritePathRegex)
      out.route.host_rewrite_path_regex = { pattern: re2(o.hostRewritePathRegex.pattern?.regex ?? ''), substitution: o.hostRewritePathRegex.substitution ?? '' };
    else if (o.hostRewriteHeader !== undefined) out.route.host_rewrite_header = o.hostRewriteHeader;
    if (o.appendXForwardedHost) out.route.append_x_forwarded_host = true;
  },
};
