/**
 * DNS settings of DNS-resolved clusters (static upstreams with host names): `respectDnsTtl` →
 * `respect_dns_ttl`, `dnsRefreshRate` (≥ 1ms) → `dns_refresh_rate`. Either on a cluster that is not
 * STRICT_DNS / LOGICAL_DNS is an error (spec §2.2). Runs after the upstream type plugins.
 */
import type { Plugin } from '../../plugin.js';
import { parseDurationMs } from '../../../../api/schema.js';
import { durationFromMs } from '../../../../xds/envoy-types.js';

export const dnsPlugin: Plugin = {
  name: 'dns',
  processUpstream(params, upstream, out) {
    const { dnsRefreshRate, respectDnsTtl } = upstream.spec;
    if (dnsRefreshRate === undefined && !respectDnsTtl) return;
    if (out.type !== 'STRICT_DNS' && out.type !== 'LOGICAL_DNS') {
      params.report.error(`dnsRefreshRate and respectDnsTtl are only valid with STRICT_DNS or LOGICAL_DNS clusters; cluster ${out.name} is ${out.type ?? 'STATIC'}`);
      return;
    }
    if (dnsRefreshRate !== undefined) {
      const ms = parseDurationMs(dnsRefreshRate);
      if (ms === undefined || ms < 1) {
        params.report.error(`dnsRefreshRate must be at least 1ms, got ${JSON.stringify(dnsRefreshRate)}`);
        return;
      }
      out.dns_refresh_rate = durationFromMs(ms);
    }
    if (respectDnsTtl) out.respect_dns_ttl = true;
  },
};
