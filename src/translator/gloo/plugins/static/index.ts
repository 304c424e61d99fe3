/**
 * Static upstreams → clusters every xDS client accepts (spec §2.2.1, DESIGN §4):
 * - every address an IP literal (or no hosts) → `EDS`: the cluster keeps the base EDS config and
 *   its endpoints, one locality `{}` of weight 1 at priority 0, are written to `load_assignment`,
 *   which `translateCluster` moves into the ClusterLoadAssignment served over EDS. This is what
 *   proxyless gRPC needs (it rejects `STATIC`, Gloo's choice here); Envoy and our data plane read
 *   it alike.
 * - one host, a host name → `LOGICAL_DNS` (inline load assignment, IPv4 only): the one DNS cluster
 *   type grpc-js accepts; Envoy and our data plane resolve the name per new connection.
 * - several hosts, any of them a host name → `STRICT_DNS`, as Gloo emits it (all addresses of all
 *   hosts are balanced over). Envoy and our data plane serve it; grpc-js NACKs it, so such an
 *   upstream cannot be a proxyless gRPC destination (docs/compatibility.md).
 * The endpoint hostname is the address, so `autoHostRewrite` sends the upstream's own host name.
 * Endpoint weights come from `loadBalancingWeight` (default 1); duplicate address:port pairs are
 * merged by adding their weights (grpc-js NACKs duplicate EDS addresses; Envoy balances the same).
 * A host's `metadata` (`{<filter namespace>: Struct}`, e.g. `envoy.lb` for subsets and hash keys)
 * becomes the endpoint's `metadata.filter_metadata`, except the namespaces Gloo fills itself
 * (`envoy.transport_socket_match`, `io.solo.health_checkers.advanced_http`), which are reserved: a
 * Warning names them and they are left out, as Gloo does.
 */
import { isIP } from 'node:net';
import type { Plugin } from '../../plugin.js';
import { toStruct, type LbEndpoint, type Struct } from '../../../../xds/envoy-types.js';

const RESERVED_METADATA = ['envoy.transport_socket_match', 'io.solo.health_checkers.advanced_http'];

export const staticPlugin: Plugin = {
  name: 'static',
  processUpstream(params, upstream, out) {
    const spec = upstream.spec.static;
    if (!spec) return;
    const byAddress = new Map<string, LbEndpoint>();
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
      const weight = host.loadBalancingWeight || 1;
      const key = `${host.addr} ${host.port}`;
      const seen = byAddress.get(key);
      if (seen?.load_balancing_weight) {
        seen.load_balancing_weight.value += weight;
        continue;
      }
      const endpoint: LbEndpoint = {
        endpoint: { address: { socket_address: { address: host.addr, port_value: host.port } }, hostname: host.addr },
        load_balancing_weight: { value: weight },
      };
      const filterMetadata: Record<string, Struct> = {};
      for (const [ns, value] of Object.entries(host.metadata ?? {})) {
        if (RESERVED_METADATA.includes(ns)) {
          params.report.warning(`metadata key ${ns} is reserved and cannot be overridden (host ${host.addr}:${host.port})`);
          continue;
        }
        filterMetadata[ns] = toStruct((value ?? {}) as Record<string, unknown>);
      }
      if (Object.keys(filterMetadata).length > 0) endpoint.metadata = { filter_metadata: filterMetadata };
      byAddress.set(key, endpoint);
    }
    const endpoints = [...byAddress.values()];
    if (allIps) {
      // The base cluster is EDS already; translateCluster serves these endpoints over EDS.
      out.load_assignment = {
        cluster_name: out.name,
        endpoints: endpoints.length > 0 ? [{ locality: {}, lb_endpoints: endpoints, load_balancing_weight: { value: 1 }, priority: 0 }] : [],
      };
      return;
    }
    delete out.eds_cluster_config;
    out.type = endpoints.length === 1 ? 'LOGICAL_DNS' : 'STRICT_DNS';
    out.dns_lookup_family = 'V4_ONLY';
    out.load_assignment = { cluster_name: out.name, endpoints: [{ lb_endpoints: endpoints }] };
  },
};
