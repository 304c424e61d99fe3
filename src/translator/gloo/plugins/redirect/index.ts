/**
 * `redirectAction` → Envoy RedirectAction (spec §2.4.5). Unset fields keep Envoy's defaults
 * (301, same host, path and scheme).
 */
import type { Plugin } from '../../plugin.js';
import type { RedirectAction } from '../../../../xds/envoy-types.js';

export const redirectPlugin: Plugin = {
  name: 'redirect',
  processRoute(_params, route, out) {
    const r = route.redirectAction;
    if (!r) return;
    const redirect: RedirectAction = {};
    if (r.hostRedirect) redirect.host_redirect = r.hostRedirect;
    if (r.pathRedirect !== undefined) redirect.path_redirect = r.pathRedirect;
    if (r.prefixRewrite !== undefined) redirect.prefix_rewrite = r.prefixRewrite;
    if (r.responseCode !== undefined) redirect.response_code = r.responseCode;
    if (r.httpsRedirect) redirect.https_redirect = true;
    if (r.stripQuery) redirect.strip_query = true;
    if (r.portRedirect) redirect.port_redirect = r.portRedirect;
    out.redirect = redirect;
  },
};
