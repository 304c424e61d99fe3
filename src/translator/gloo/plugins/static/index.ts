/**
 * Static upstreams → cluster with an inline load assignment (spec §2.2.1): STATIC when every
 * address is an IP, else STRICT_DNS resolving IPv4 only. The endpoint hostname is the address, so
 * `autoHostRewrite` sends the upstream's own host name.
 */
import { isIP } from 'node:net';
import type { Plugin } from '../../plugin.js';
import type { LbEndpoint } from '../../../../xds/envoy-types.js';

export const staticPlugin: Plugin = {
  name: 'static',
  processUpstream(params, upstream, out) {
    const spec = upstream.spec.static;
    if (!spec) return;
    const endpoints: LbEndpoint[] = [];
    let allIps = true;
    for (const host of spec.hosts ?? []) {
      if (!host.addr) {
        params.report.error('addr cannot be empty for host');
        continue;
      }
      if (!host.port) {
        params.report.error('port cannot be empty for host');
        continue;
      }
      if (isIP(host.addr) === 0) allIps = false;
      endpoints.push({ endpoint: { address: { socket_address: { address: host.addr, port_value: host.port } }, hostname: host.addr } });
    }
    out.type = allIps ? 'STATIC' : 'STRICT_DNS';
    if (!allIps) out.dns_lookup_family = 'V4_ONLY';
    out.load_assignment = { cluster_name: out.name, endpoints: endpoints.length > 0 ? [{ lb_endpoints: endpoints }] : [] };
  },
};
