/**
 * `routeAction` → Envoy RouteAction: the cluster (or weighted clusters, or cluster header) a route
 * forwards to (spec §2.4.4, §8.3). A destination whose Upstream does not exist is a Warning and the
 * route still names its cluster, so the data plane answers 503 until the Upstream appears — or, with
 * `replaceInvalidRoutes`, the route is replaced (route-config.ts): a missing Upstream / UpstreamGroup
 * and an Upstream with errors mark the route invalid.
 */
import type { Destination, RouteAction, WeightedDestination } from '../../api/types/destination.js';
import type * as envoy from '../../xds/envoy-types.js';
import { DEFAULT_NAMESPACE } from '../../api/resource.js';
import type { ProblemSink, TranslationParams } from './plugin.js';
import { clusterName } from './names.js';

function invalidDestination(report: ProblemSink, kind: string, key: string): void {
  report.warning(`Route Warning: InvalidDestinationWarning. Reason: *v1.${kind} { ${key} } not found`);
  report.routeInvalid?.();
}

/** The cluster a destination names, warning when its Upstream is missing. */
export function destinationCluster(params: TranslationParams, report: ProblemSink, dest: Destination): string | undefined {
  if (dest.upstream) {
    const key = `${dest.upstream.namespace ?? ''}.${dest.upstream.name ?? ''}`;
    const upstream = params.upstreams.get(key);
    if (!upstream) invalidDestination(report, 'Upstream', key);
    // Its cluster is reported broken (e.g. a static host without a port): nothing valid to send to.
    else if (params.reports.hasErrors(upstream)) report.routeInvalid?.();
    return clusterName(dest.upstream);
  }
  if (dest.kube) {
    // Gloo's in-memory upstream for a Service port; not synthesised yet, so it answers 503.
    const ns = dest.kube.ref?.namespace ?? '';
    return clusterName({ name: `kube-svc:${ns}-${dest.kube.ref?.name ?? ''}-${dest.kube.port ?? 0}`, namespace: ns });
  }
  if (dest.consul) return clusterName({ name: `consul-svc:${dest.consul.serviceName ?? ''}`, namespace: DEFAULT_NAMESPACE });
  report.error('invalid route: destination must specify an upstream');
  return undefined;
}

function weightedClusters(
  params: TranslationParams,
  report: ProblemSink,
  destinations: readonly WeightedDestination[],
  defaultNamespace: string | undefined,
  onCluster: OnWeightedCluster | undefined,
): envoy.WeightedCluster | undefined {
  const clusters: envoy.WeightedCluster['clusters'] = [];
  for (const d of destinations) {
    if (!d.destination) continue;
    let dest = d.destination;
    if (dest.upstream && !dest.upstream.namespace && defaultNamespace)
      dest = { ...dest, upstream: { ...dest.upstream, namespace: defaultNamespace } };
    const name = destinationCluster(params, report, dest);
    if (name === undefined) continue;
    const cw: envoy.ClusterWeight = { name, weight: { value: d.weight ?? 0 } };
    onCluster?.(d, cw);
    clusters.push(cw);
  }
  if (!clusters.some((c) => c.weight.value > 0)) {
    report.error('invalid route: a multi destination must have at least one destination with a weight greater than 0');
    return undefined;
  }
  return { clusters };
}

/** Called for each cluster of a weighted split with the destination it came from (WeightedDestinationOptions). */
export type OnWeightedCluster = (destination: WeightedDestination, out: envoy.ClusterWeight) => void;

/** The Envoy route action, or undefined when the route cannot forward (reported). */
export function translateRouteAction(
  params: TranslationParams,
  report: ProblemSink,
  action: RouteAction,
  onCluster?: OnWeightedCluster,
): envoy.RouteAction | undefined {
  if (action.single) {
    const cluster = destinationCluster(params, report, action.single);
    return cluster === undefined ? undefined : { cluster };
  }
  if (action.multi) {
    const wc = weightedClusters(params, report, action.multi.destinations ?? [], undefined, onCluster);
    return wc ? { weighted_clusters: wc } : undefined;
  }
  if (action.upstreamGroup) {
    const key = `${action.upstreamGroup.namespace ?? ''}.${action.upstreamGroup.name ?? ''}`;
    const group = params.upstreamGroups.get(key);
    if (!group) {
      invalidDestination(report, 'UpstreamGroup', key);
      // Named after the group so the route answers 503, like a missing upstream.
      return { cluster: clusterName(action.upstreamGroup) };
    }
    const wc = weightedClusters(params, report, group.spec.destinations ?? [], group.metadata.namespace, onCluster);
    return wc ? { weighted_clusters: wc } : undefined;
  }
  if (action.clusterHeader !== undefined) return { cluster_header: action.clusterHeader };
  return undefined; // dynamicForwardProxy: reported as an unsupported field
}
