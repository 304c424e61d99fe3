/**
 * Upstreams → Envoy Clusters, one per Upstream in the snapshot whether routed to or not (as Gloo
 * does), named `<name>_<namespace>`. The base cluster has no endpoints; the plugin of the
 * upstream's type fills them in (kube and the other types have no plugin yet, see the unsupported
 * field warning).
 */
import type { Resource } from '../../api/resource.js';
import { durationFromMs, type Cluster } from '../../xds/envoy-types.js';
import type { PluginRegistry } from './registry.js';
import type { TranslationParams } from './plugin.js';
import { clusterName } from './names.js';
import { sinkFor } from './problem-sink.js';
import { internalError } from '../internal-error.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export function translateCluster(params: TranslationParams, registry: PluginRegistry, upstream: Resource<'Upstream'>): Cluster {
  const name = clusterName(upstream.metadata);
  const out: Cluster = {
    name,
    type: 'STATIC',
    connect_timeout: durationFromMs(DEFAULT_CONNECT_TIMEOUT_MS),
    load_assignment: { cluster_name: name, endpoints: [] },
  };
  const report = sinkFor(params.reports, [upstream]);
  for (const p of registry.upstream) {
    try {
      p.processUpstream({ ...params, report }, upstream, out);
    } catch (err) {
      report.error(internalError(err));
    }
  }
  return out;
}

export function translateClusters(params: TranslationParams, registry: PluginRegistry): Cluster[] {
  return params.snapshot.upstreams.map((u) => translateCluster(params, registry, u)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
