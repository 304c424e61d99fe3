/**
 * Gloo transformations (spec §4: `stagedTransformations`, deprecated `transformations`) on virtual
 * hosts, routes and weighted destinations → `typed_per_filter_config['io.solo.transformation']`, and
 * the `io.solo.transformation` HTTP filter (stage `transformation`) on listeners that use them.
 *
 * envoy-gloo's own protos are not part of the Envoy API, so the configs travel as
 * `xds.type.v3.TypedStruct` under gloo-ts' own type URLs (docs/xds-extensions.md):
 * - per route / virtual host / weighted cluster: `type_url` ROUTE_TRANSFORMATIONS_TYPE_URL, `value`
 *   the TransformationStages message in Gloo's JSON (camelCase) form, with a deprecated
 *   `transformations` folded into `regular` (request → `requestTransforms[0]`, response →
 *   `responseTransforms[0]`) unless `stagedTransformations.regular` is set, as Gloo does;
 * - the filter: `type_url` FILTER_TRANSFORMATIONS_TYPE_URL, `value` `{}`.
 */
import type { Plugin } from '../../plugin.js';
import type { Transformations, TransformationStages } from '../../../../api/types/transformation.js';
import { TYPE_URL, toStruct, type TypedConfig } from '../../../../xds/envoy-types.js';

export const TRANSFORMATION_FILTER_NAME = 'io.solo.transformation';
export const ROUTE_TRANSFORMATIONS_TYPE_URL = 'type.googleapis.com/gloo_ts.transformation.v1.RouteTransformations';
export const FILTER_TRANSFORMATIONS_TYPE_URL = 'type.googleapis.com/gloo_ts.transformation.v1.FilterTransformations';

interface HasTransformations {
  stagedTransformations?: TransformationStages | undefined;
  transformations?: Transformations | undefined;
}

/** The stages a set of options asks for, or undefined when none. */
export function transformationStages(o: HasTransformations | undefined): TransformationStages | undefined {
  if (!o || (!o.stagedTransformations && !o.transformations)) return undefined;
  const stages: TransformationStages = { ...(o.stagedTransformations ?? {}) };
  const legacy = o.transformations;
  if (legacy && !stages.regular) {
    const regular: NonNullable<TransformationStages['regular']> = {};
    if (legacy.requestTransformation)
      regular.requestTransforms = [{ requestTransformation: legacy.requestTransformation, ...(legacy.clearRouteCache ? { clearRouteCache: true } : {}) }];
    if (legacy.responseTransformation) regular.responseTransforms = [{ responseTransformation: legacy.responseTransformation }];
    stages.regular = regular;
  }
  return stages;
}

function perFilterConfig(stages: TransformationStages): TypedConfig {
  return { '@type': TYPE_URL.typedStruct, type_url: ROUTE_TRANSFORMATIONS_TYPE_URL, value: toStruct(stages as Record<string, unknown>) };
}

function withTransformation(current: Record<string, TypedConfig> | undefined, o: HasTransformations | undefined): Record<string, TypedConfig> | undefined {
  const stages = transformationStages(o);
  return stages ? { ...current, [TRANSFORMATION_FILTER_NAME]: perFilterConfig(stages) } : current;
}

export const transformationPlugin: Plugin = {
  name: 'transformation',
  processRoute(_params, route, out) {
    const t = withTransformation(out.typed_per_filter_config, route.options);
    if (t) out.typed_per_filter_config = t;
  },
  processVirtualHost(_params, vh, out) {
    const t = withTransformation(out.typed_per_filter_config, vh.options);
    if (t) out.typed_per_filter_config = t;
  },
  processWeightedDestination(_params, d, out) {
    const t = withTransformation(out.typed_per_filter_config, d.options);
    if (t) out.typed_per_filter_config = t;
  },
  httpFilters(params, listener) {
    const vhs = listener.httpListener?.virtualHosts ?? [];
    const used = vhs.some(
      (vh) =>
        transformationStages(vh.options) !== undefined ||
        (vh.routes ?? []).some(
          (r) =>
            transformationStages(r.options) !== undefined ||
            (r.routeAction?.multi?.destinations ?? []).some((d) => transformationStages(d.options) !== undefined),
        ),
    );
    // UpstreamGroup destinations can carry transformations too.
    const groupUsed =
      !used &&
      vhs.some((vh) =>
        (vh.routes ?? []).some((r) => {
          const ref = r.routeAction?.upstreamGroup;
          const g = ref ? params.upstreamGroups.get(`${ref.namespace ?? ''}.${ref.name ?? ''}`) : undefined;
          return (g?.spec.destinations ?? []).some((d) => transformationStages(d.options) !== undefined);
        }),
      );
    if (!used && !groupUsed) return [];
    return [
      {
        stage: 'transformation',
        filter: { name: TRANSFORMATION_FILTER_NAME, typed_config: { '@type': TYPE_URL.typedStruct, type_url: FILTER_TRANSFORMATIONS_TYPE_URL, value: { fields: {} } } },
      },
    ];
  },
};
