/**
 * `shadowing` → Envoy `route.request_mirror_policies[0]` (spec §2.5.1): requests are mirrored to the
 * shadow upstream's cluster for `percentage` (0–100, as a FractionalPercent per million, like Gloo)
 * of requests; Envoy appends `-shadow` to the mirrored Host unless `disableShadowHostSuffixAppend`.
 * `hostRewriteLiteral` has no field in the Envoy API gloo-ts targets (Warning). Only for routes that
 * forward (routeAction).
 */
import type { Plugin } from '../../plugin.js';
import type { RequestMirrorPolicy } from '../../../../xds/envoy-types.js';
import { clusterName } from '../../names.js';
import { toMillionths } from '../faults/index.js';

export const shadowingPlugin: Plugin = {
  name: 'shadowing',
  processRoute(params, route, out) {
    const s = route.options?.shadowing;
    if (!s) return;
    if (!out.route) {
      params.report.warning(`route ${params.routeIndex}: options.shadowing only applies to routes with a routeAction; ignored`);
      return;
    }
    if (!s.upstream?.name) {
      params.report.error(`route ${params.routeIndex}: shadowing needs an upstream`);
      return;
    }
    const pct = s.percentage ?? 0;
    if (pct < 0 || pct > 100) {
      params.report.error(`route ${params.routeIndex}: shadow percentage must be between 0 and 100, got ${pct}`);
      return;
    }
    const key = `${s.upstream.namespace ?? ''}.${s.upstream.name}`;
    if (!params.upstreams.has(key)) params.report.warning(`route ${params.routeIndex}: shadowing upstream *v1.Upstream { ${key} } not found`);
    const mirror: RequestMirrorPolicy = {
      cluster: clusterName(s.upstream),
      runtime_fraction: { default_value: toMillionths(pct) },
    };
    if (s.disableShadowHostSuffixAppend) mirror.disable_shadow_host_suffix_append = true;
    if (s.hostRewriteLiteral !== undefined)
      params.report.warning(`route ${params.routeIndex}: shadowing.hostRewriteLiteral is not translated (Envoy's RequestMirrorPolicy has no host rewrite in the API gloo-ts targets)`);
    out.route.request_mirror_policies = [mirror];
  },
};
