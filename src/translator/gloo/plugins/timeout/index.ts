/**
 * `options.timeout` → `route.timeout` (the whole upstream exchange, Envoy default 15 s).
 */
import type { Plugin } from '../../plugin.js';
import { parseDurationMs } from '../../../../api/schema.js';
import { durationFromMs } from '../../../../xds/envoy-types.js';

export const timeoutPlugin: Plugin = {
  name: 'timeout',
  processRoute(params, route, out) {
    const timeout = route.options?.timeout;
    if (timeout === undefined || !out.route) return;
    const ms = parseDurationMs(timeout);
    if (ms === undefined) {
      params.report.error(`route ${params.routeIndex}: invalid timeout ${JSON.stringify(timeout)}`);
      return;
    }
    out.route.timeout = durationFromMs(ms);
  },
};
