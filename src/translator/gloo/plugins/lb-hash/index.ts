/**
 * `lbHash.hashPolicies[]` → Envoy `route.hash_policy` (spec §2.2.8): the keys a RING_HASH or MAGLEV
 * cluster hashes on — `header` → `{header: {header_name}}`, `cookie {name, ttl, path}` →
 * `{cookie}`, `sourceIp` → `{connection_properties: {source_ip: true}}` — each with `terminal`.
 */
import type { Plugin } from '../../plugin.js';
import type { HashPolicy } from '../../../../xds/envoy-types.js';
import { envoyDuration } from '../timeout/index.js';

export const lbHashPlugin: Plugin = {
  name: 'lb-hash',
  processRoute(params, route, out) {
    const policies = route.options?.lbHash?.hashPolicies;
    if (!policies || !out.route) return;
    const hash: HashPolicy[] = [];
    for (const h of policies) {
      const p: HashPolicy = {};
      if (h.header !== undefined) p.header = { header_name: h.header };
      else if (h.cookie) {
        p.cookie = { name: h.cookie.name ?? '' };
        const ttl = envoyDuration(h.cookie.ttl, params.report, 'lbHash cookie ttl');
        if (ttl) p.cookie.ttl = ttl;
        if (h.cookie.path) p.cookie.path = h.cookie.path;
      } else if (h.sourceIp) p.connection_properties = { source_ip: true };
      else {
        params.report.warning(`route ${params.routeIndex}: a hash policy without header, cookie or sourceIp is ignored`);
        continue;
      }
      if (h.terminal) p.terminal = true;
      hash.push(p);
    }
    if (hash.length > 0) out.route.hash_policy = hash;
  },
};
