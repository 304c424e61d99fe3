/**
 * `faults` → the per-route config of Envoy's fault filter (spec §2.5.1):
 * `typed_per_filter_config['envoy.filters.http.fault']` = HTTPFault with `abort {http_status,
 * percentage}` and `delay {fixed_delay, percentage}`, percentages (0–100) as FractionalPercents per
 * million as Gloo writes them; plus the `envoy.filters.http.fault` filter (stage `fault`) on every
 * listener one of whose routes injects faults.
 */
import type { Plugin } from '../../plugin.js';
import type { ProxyListener } from '../../../../api/kinds/proxy.js';
import type { ProxyRoute } from '../../../../api/types/route.js';
import { TYPE_URL, type FractionalPercent, type TypedConfig } from '../../../../xds/envoy-types.js';
import { envoyDuration } from '../timeout/index.js';

export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';

/** A 0–100 percentage as Gloo's FractionalPercent: numerator per MILLION (a zero numerator left out). */
export function toMillionths(percent: number): FractionalPercent {
  const numerator = Math.round(percent * 10_000);
  return numerator === 0 ? { denominator: 'MILLION' } : { numerator, denominator: 'MILLION' };
}

/** Every route of the listener's virtual hosts (for plugins that add a filter only when used). */
export function listenerRoutes(listener: ProxyListener): ProxyRoute[] {
  return (listener.httpListener?.virtualHosts ?? []).flatMap((vh) => vh.routes ?? []);
}

export const faultsPlugin: Plugin = {
  name: 'faults',
  processRoute(params, route, out) {
    const f = route.options?.faults;
    if (!f || (!f.abort && !f.delay)) return;
    const cfg: TypedConfig = { '@type': TYPE_URL.fault };
    if (f.abort) {
      const status = f.abort.httpStatus ?? 0;
      if (status < 200 || status >= 600) {
        params.report.error(`route ${params.routeIndex}: faults.abort.httpStatus must be in [200, 600), got ${status}`);
        return;
      }
      cfg.abort = { http_status: status, percentage: toMillionths(f.abort.percentage ?? 0) };
    }
    if (f.delay) {
      const d = envoyDuration(f.delay.fixedDelay ?? '0s', params.report, 'faults.delay.fixedDelay');
      if (!d) return;
      cfg.delay = { fixed_delay: d, percentage: toMillionths(f.delay.percentage ?? 0) };
    }
    out.typed_per_filter_config = { ...out.typed_per_filter_config, [FAULT_FILTER_NAME]: cfg };
  },
  httpFilters(_params, listener) {
    const used = listenerRoutes(listener).some((r) => r.options?.faults?.abort || r.options?.faults?.delay);
    return used ? [{ stage: 'fault', filter: { name: FAULT_FILTER_NAME, typed_config: { '@type': TYPE_URL.fault } } }] : [];
  },
};
