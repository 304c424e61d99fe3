/**
 * Endpoint subsets (spec §2.2.13), as Gloo translates them:
 * - an Upstream's `subsetSpec` (kube upstreams) → the cluster's `lb_subset_config`: `selectors[].keys`
 *   → `subset_selectors[].keys` (with `single_host_per_subset`), `fallbackPolicy` → `fallback_policy`
 *   (Gloo's default is ANY_ENDPOINT), `defaultSubset.values` → `default_subset`;
 * - a route destination's `subset.values` → `metadata_match.filter_metadata['envoy.lb']` on the route
 *   action (`single`) or on the weighted cluster (`multi`, UpstreamGroup). Gloo's checks: a subset on an
 *   upstream without `subsetSpec` is a Warning (`route has a subset config, but the upstream does not`);
 *   values whose keys equal no selector's key set are an error (`route has a subset config, but none
 *   of the subsets in the upstream match it`).
 * Endpoint metadata comes from the upstream's endpoints (static host `metadata`; pod labels when kube
 * endpoints exist).
 */
import type { Resource } from '../../../../api/resource.js';
import type { Plugin, ProblemSink, TranslationParams } from '../../plugin.js';
import type { SubsetSpec } from '../../../../api/types/upstream-service-spec.js';
import { toStruct, type LbSubsetConfig, type Metadata } from '../../../../xds/envoy-types.js';
import { clusterName } from '../../names.js';

const SUBSETS_MISCONFIGURED = 'route has a subset config, but the upstream does not';
const NO_MATCHING_SUBSET = 'route has a subset config, but none of the subsets in the upstream match it';

/** The subset config of an upstream type that has one (kube). */
function subsetSpecOf(u: Resource<'Upstream'>): SubsetSpec | undefined {
  return u.spec.kube?.subsetSpec;
}

export function lbSubsetConfig(spec: SubsetSpec): LbSubsetConfig {
  const out: LbSubsetConfig = { fallback_policy: spec.fallbackPolicy ?? 'ANY_ENDPOINT' };
  if (spec.defaultSubset) out.default_subset = toStruct(spec.defaultSubset.values ?? {});
  const selectors = (spec.selectors ?? []).map((s) => ({ keys: [...(s.keys ?? [])], ...(s.singleHostPerSubset ? { single_host_per_subset: true } : {}) }));
  if (selectors.length > 0) out.subset_selectors = selectors;
  return out;
}

function lbMetadata(values: Record<string, string>): Metadata {
  return { filter_metadata: { 'envoy.lb': toStruct(values) } };
}

/** The Upstream behind a cluster name, if the snapshot has it. */
function upstreamOfCluster(params: TranslationParams, cluster: string | undefined): Resource<'Upstream'> | undefined {
  if (cluster === undefined) return undefined;
  for (const u of params.upstreams.values()) if (clusterName(u.metadata) === cluster) return u;
  return undefined;
}

/** Gloo's checks of a route subset against its upstream (a missing upstream is reported elsewhere). */
function checkSubset(params: TranslationParams, report: ProblemSink, cluster: string | undefined, values: Record<string, string>): void {
  const upstream = upstreamOfCluster(params, cluster);
  if (!upstream) return;
  const spec = subsetSpecOf(upstream);
  if (!spec) {
    report.warning(SUBSETS_MISCONFIGURED);
    return;
  }
  const keys = Object.keys(values);
  const found = (spec.selectors ?? []).some((s) => {
    const sk = s.keys ?? [];
    return sk.length === keys.length && sk.every((k) => k in values);
  });
  if (!found) report.error(NO_MATCHING_SUBSET);
}

export const subsetPlugin: Plugin = {
  name: 'subset',
  processUpstream(_params, upstream, out) {
    const spec = subsetSpecOf(upstream);
    if (spec) out.lb_subset_config = lbSubsetConfig(spec);
  },
  processRoute(params, route, out) {
    const values = route.routeAction?.single?.subset?.values;
    if (!values || Object.keys(values).length === 0 || !out.route) return;
    out.route.metadata_match = lbMetadata(values);
    // One Envoy route per matcher; the route's problems are reported once.
    if (params.matcherIndex === 0) checkSubset(params, params.report, out.route.cluster, values);
  },
  processWeightedDestination(params, destination, out) {
    const values = destination.destination?.subset?.values;
    if (!values || Object.keys(values).length === 0) return;
    out.metadata_match = lbMetadata(values);
    checkSubset(params, params.report, out.name, values);
  },
};
