/**
 * `options.regexRewrite` → `route.regex_rewrite` (`{pattern: RE2, substitution}`; `\1` groups):
 * every match in the path is replaced before forwarding, the query kept. Envoy refuses it together
 * with `prefix_rewrite`, so both on one route is an error.
 */
import type { Plugin } from '../../plugin.js';
import { re2 } from '../basic-route/index.js';

export const regexRewritePlugin: Plugin = {
  name: 'regex-rewrite',
  processRoute(params, route, out) {
    const r = route.options?.regexRewrite;
    if (!r) return;
    if (!out.route) {
      params.report.warning(`route ${params.routeIndex}: options.regexRewrite only applies to routes with a routeAction; ignored`);
      return;
    }
    if (route.options?.prefixRewrite !== undefined) {
      params.report.error(`route ${params.routeIndex}: prefixRewrite and regexRewrite cannot both be set`);
      return;
    }
    out.route.regex_rewrite = { pattern: re2(r.pattern?.regex ?? ''), substitution: r.substitution ?? '' };
  },
};
