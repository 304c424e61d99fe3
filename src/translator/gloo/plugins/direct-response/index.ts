/**
 * `directResponseAction` → Envoy DirectResponseAction with an inline body (spec §2.4.6).
 */
import type { Plugin } from '../../plugin.js';

export const directResponsePlugin: Plugin = {
  name: 'direct-response',
  processRoute(_params, route, out) {
    const d = route.directResponseAction;
    if (!d) return;
    out.direct_response = { status: d.status ?? 200, ...(d.body !== undefined ? { body: { inline_string: d.body } } : {}) };
  },
};
