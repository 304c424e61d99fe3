/**
 * Gloo transformations (spec §4: `stagedTransformations`, deprecated `transformations`) on virtual
 * hosts, routes and weighted destinations → `typed_per_filter_config['io.solo.transformation']`, and
 * the `io.solo.transformation` HTTP filters on listeners that use them: the regular one (stage
 * `transformation`) and, when some virtual host or route of the listener has `early` transformations,
 * the early one (stage `earlyTransformation`, right after fault injection), as Gloo emits them.
 *
 * envoy-gloo's own protos are not part of the Envoy API, so the configs travel as
 * `xds.type.v3.TypedStruct` under gloo-ts' own type URLs (docs/xds-extensions.md):
 * - per route / virtual host / weighted cluster: `type_url` ROUTE_TRANSFORMATIONS_TYPE_URL, `value`
 *   the TransformationStages message in Gloo's JSON (camelCase) form, with a deprecated
 *   `transformations` folded into `regular` (request → `requestTransforms[0]`, response →
 *   `responseTransforms[0]`) unless `stagedTransformations.regular` is set, as Gloo does;
 * - the filters: `type_url` FILTER_TRANSFORMATIONS_TYPE_URL, `value` `{stage?, logRequestResponseInfo?,
 *   escapeCharacters?, autoWebsocketPassthrough?}` (stage 1 = early; the rest from Settings
 *   `gloo.logTransformationRequestResponseInfo`, `gloo.transformationEscapeCharacters`,
 *   `gloo.enableAutoWebsocketTransformationPassthrough`).
 *
 * Every template and extractor is compiled (../../../transformation-validation.ts). The gateway
 * translator already rejected VirtualServices whose own transformations fail (they keep their last
 * accepted version); what reaches this plugin broken (UpstreamGroup destinations, hand-written
 * Proxies) is an error on the resource here, and that level's transformations are left out.
 * `settings.gateway.validation.disableTransformationValidation` skips compiling the templates.
 */
import type { Plugin, ProblemSink } from '../../plugin.js';
import type { StagedHttpFilter } from '../../filter-stages.js';
import type { Transformations, TransformationStages } from '../../../../api/types/transformation.js';
import { TYPE_URL, toStruct, type TypedConfig } from '../../../../xds/envoy-types.js';
import type { ApiSnapshot } from '../../../../config/snapshot.js';
import { settingsOf } from '../../../settings.js';
import { transformationOptionProblems } from '../../../transformation-validation.js';

export const TRANSFORMATION_FILTER_NAME = 'io.solo.transformation';
export const ROUTE_TRANSFORMATIONS_TYPE_URL = 'type.googleapis.com/gloo_ts.transformation.v1.RouteTransformations';
export const FILTER_TRANSFORMATIONS_TYPE_URL = 'type.googleapis.com/gloo_ts.transformation.v1.FilterTransformations';
/** envoy-gloo's stage number of early transformations (regular is 0, the default). */
export const EARLY_STAGE = 1;

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

function skipTemplates(snapshot: ApiSnapshot, namespace: string): boolean {
  return settingsOf(snapshot, namespace).spec.gateway?.validation?.disableTransformationValidation === true;
}

/**
 * `current` with the transformation config of `o` added, or unchanged when `o` has none or its
 * transformations do not compile (reported on `report` with `where` in front, when `report` is given).
 */
function withTransformation(
  current: Record<string, TypedConfig> | undefined,
  o: HasTransformations | undefined,
  check: { report: ProblemSink | null; where: string; skipTemplates: boolean },
): Record<string, TypedConfig> | undefined {
  const stages = transformationStages(o);
  if (!stages) return current;
  const problems = transformationOptionProblems(o, { skipTemplates: check.skipTemplates });
  if (problems.length > 0) {
    for (const p of problems) check.report?.error(`${check.where}: ${p}`);
    return current;
  }
  return { ...current, [TRANSFORMATION_FILTER_NAME]: perFilterConfig(stages) };
}

function usesEarly(o: HasTransformations | undefined): boolean {
  return o?.stagedTransformations?.early !== undefined;
}

export const transformationPlugin: Plugin = {
  name: 'transformation',
  processRoute(params, route, out) {
    // One Envoy route per matcher: report the route's problems once.
    const report = params.matcherIndex === 0 ? params.report : null;
    const t = withTransformation(out.typed_per_filter_config, route.options, {
      report,
      where: `route ${params.routeIndex}`,
      skipTemplates: skipTemplates(params.snapshot, params.proxy.metadata.namespace),
    });
    if (t) out.typed_per_filter_config = t;
  },
  processVirtualHost(params, vh, out) {
    const t = withTransformation(out.typed_per_filter_config, vh.options, {
      report: params.report,
      where: 'virtual host options',
      skipTemplates: skipTemplates(params.snapshot, params.proxy.metadata.namespace),
    });
    if (t) out.typed_per_filter_config = t;
  },
  processWeightedDestination(params, d, out) {
    const t = withTransformation(out.typed_per_filter_config, d.options, {
      report: params.report,
      where: `route ${params.routeIndex} destination ${out.name}`,
      skipTemplates: skipTemplates(params.snapshot, params.proxy.metadata.namespace),
    });
    if (t) out.typed_per_filter_config = t;
  },
  httpFilters(params, listener) {
    const vhs = listener.httpListener?.virtualHosts ?? [];
    let used = false;
    let early = false;
    const visit = (o: HasTransformations | undefined): void => {
      if (transformationStages(o) === undefined) return;
      used = true;
      if (usesEarly(o)) early = true;
    };
    for (const vh of vhs) {
      visit(vh.options);
      for (const r of vh.routes ?? []) {
        visit(r.options);
        for (const d of r.routeAction?.multi?.destinations ?? []) visit(d.options);
        // UpstreamGroup destinations can carry transformations too.
        const ref = r.routeAction?.upstreamGroup;
        const g = ref ? params.upstreamGroups.get(`${ref.namespace ?? ''}.${ref.name ?? ''}`) : undefined;
        for (const d of g?.spec.destinations ?? []) visit(d.options);
      }
    }
    if (!used) return [];
    const gloo = settingsOf(params.snapshot, params.proxy.metadata.namespace).spec.gloo;
    const settings: Record<string, unknown> = {};
    if (gloo?.logTransformationRequestResponseInfo === true) settings.logRequestResponseInfo = true;
    if (gloo?.transformationEscapeCharacters !== undefined) settings.escapeCharacters = gloo.transformationEscapeCharacters;
    if (gloo?.enableAutoWebsocketTransformationPassthrough === true) settings.autoWebsocketPassthrough = true;
    const filter = (value: Record<string, unknown>): StagedHttpFilter['filter'] => ({
      name: TRANSFORMATION_FILTER_NAME,
      typed_config: { '@type': TYPE_URL.typedStruct, type_url: FILTER_TRANSFORMATIONS_TYPE_URL, value: toStruct(value) },
    });
    const out: StagedHttpFilter[] = [];
    if (early) out.push({ stage: 'earlyTransformation', filter: filter({ stage: EARLY_STAGE, ...settings }) });
    out.push({ stage: 'transformation', filter: filter(settings) });
    return out;
  },
};
