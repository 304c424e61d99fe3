/**
 * Upstreams → Envoy Clusters, one per Upstream in the snapshot whether routed to or not (as Gloo
 * does), named `<name>_<namespace>`. The base cluster is `EDS` over ADS (`service_name` = the
 * cluster name, round robin) with an empty ClusterLoadAssignment, so a client never waits for
 * endpoints that will not come (spec §8.4); the plugin of the upstream's type fills the endpoints in
 * (kube and the other types have no plugin yet, see the unsupported field warning) or changes the
 * type (static host names: LOGICAL_DNS / STRICT_DNS with an inline `load_assignment`).
 *
 * On an EDS cluster, plugins write the endpoints to `load_assignment` like on any other type (later
 * plugins, e.g. TLS, see them there); `translateCluster` then moves them out of the Cluster into the
 * ClusterLoadAssignment served over EDS, named after `service_name`.
 */
import type { Resource } from '../../api/resource.js';
import { durationFromMs, type Cluster, type ClusterLoadAssignment } from '../../xds/envoy-types.js';
import type { PluginRegistry } from './registry.js';
import type { TranslationParams } from './plugin.js';
import { clusterName } from './names.js';
import { sinkFor } from './problem-sink.js';
import { internalError } from '../internal-error.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** A translated Upstream: its Cluster and, for an EDS cluster, the ClusterLoadAssignment served over EDS. */
export interface TranslatedCluster {
  cluster: Cluster;
  endpoints?: ClusterLoadAssignment | undefined;
}

export function translateCluster(params: TranslationParams, registry: PluginRegistry, upstream: Resource<'Upstream'>): TranslatedCluster {
  const name = clusterName(upstream.metadata);
  const out: Cluster = {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name },
    connect_timeout: durationFromMs(DEFAULT_CONNECT_TIMEOUT_MS),
    lb_policy: 'ROUND_ROBIN',
  };
  const report = sinkFor(params.reports, [upstream]);
  for (const p of registry.upstream) {
    try {
      p.processUpstream({ ...params, report }, upstream, out);
    } catch (err) {
      report.error(internalError(err));
    }
  }
  if (out.type !== 'EDS') return { cluster: out };
  const { load_assignment: inline, ...cluster } = out;
  const serviceName = cluster.eds_cluster_config?.service_name || name;
  return { cluster, endpoints: { cluster_name: serviceName, endpoints: inline?.endpoints ?? [] } };
}

const byName = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Every Upstream's Cluster, and the ClusterLoadAssignments of the EDS ones, both sorted by name. */
export function translateClusters(params: TranslationParams, registry: PluginRegistry): { clusters: Cluster[]; endpoints: ClusterLoadAssignment[] } {
  const clusters: Cluster[] = [];
  const endpoints: ClusterLoadAssignment[] = [];
  for (const u of params.snapshot.upstreams) {
    const t = translateCluster(params, registry, u);
    clusters.push(t.cluster);
    if (t.endpoints) endpoints.push(t.endpoints);
  }
  return { clusters: clusters.sort(byName((c) => c.name)), endpoints: endpoints.sort(byName((e) => e.cluster_name)) };
}
