/**
 * The route tree of one VirtualService, flattened into Proxy routes (spec §1.5): a depth-first,
 * in-order walk where a route with a `delegateAction` is replaced, at its position, by the routes of
 * the RouteTables it selects (by weight, then path specificity inside a weight group of several
 * tables), merged with what they inherit from it, several levels deep.
 *
 * Per route, in order: regex validation and the action check (errors), RouteOption refs merged under
 * the inline options, then — for a delegated route — inheritance and the matcher checks against the
 * parent (a failure drops that route with a Warning), or for a VirtualService route the virtual host's
 * transformations when it sets `inheritTransformation`; then, for a route that does not delegate, its
 * transformations are compiled (an error). Every problem found on a RouteTable is also
 * reported on the root VirtualService as `on sub route table <ns.name>: <problem>`, errors as errors,
 * warnings as warnings; a delegation cycle is an error on the table that closes it.
 *
 * A route that came through delegation carries its sources (`metadataStatic.sources`): the tables of
 * its chain, deepest first, then the VirtualService — as Gloo appends each level's resource. A
 * VirtualService's own routes carry none (the virtual host names the VS already).
 */
import type { Resource } from '../../../api/resource.js';
import { resourceKey } from '../../../api/resource.js';
import type { GatewayRoute, ProxyRoute } from '../../../api/types/route.js';
import type { VirtualHostOptions } from '../../../api/types/options.js';
import type { Reports } from '../../reports.js';
import { sourceMetadata } from '../../source-metadata.js';
import { validateRoute } from '../validate-route.js';
import { withDelegatedOptions } from '../options-refs.js';
import { selectRouteTables } from './select-route-tables.js';
import { groupByWeight, sortRoutesBySpecificity } from './order-route-tables.js';
import { inheritTransformations, mergeChildRoute, type ParentRoute } from './merge-child-route.js';
import { delegateRouteMatcher, delegationCycleErr } from './validate-child-route.js';
import { routeName, type RouteNaming, type RouteOwner } from './route-names.js';
import { simpleProxyRoute } from './simple-route.js';
import { transformationOptionProblems } from '../../transformation-validation.js';

export interface DelegationContext {
  /** The VirtualService at the root of the tree: RouteTable problems are copied onto it. */
  root: Resource<'VirtualService'>;
  routeTables: readonly Resource<'RouteTable'>[];
  routeOptions: readonly Resource<'RouteOption'>[];
  /** The root's virtual host options (refs merged): what its own routes inherit transformations from. */
  virtualHostOptions: VirtualHostOptions | undefined;
  reports: Reports;
  /** How to synthesize route names; undefined ⇒ routes keep their user `name` as written. */
  naming: RouteNaming | undefined;
  /** `settings.gateway.validation.disableTransformationValidation`: transformation templates are not compiled. */
  skipTransformationTemplates?: boolean | undefined;
}

/** The transformation problems of a route's options and of its `multi` destinations' options. */
function transformationRouteProblems(route: GatewayRoute, skipTemplates: boolean): string[] {
  const opts = { skipTemplates };
  const out = transformationOptionProblems(route.options, opts);
  (route.routeAction?.multi?.destinations ?? []).forEach((d, i) => {
    for (const p of transformationOptionProblems(d.options, opts)) out.push(`destination ${i}: ${p}`);
  });
  return out;
}

/** `on sub route table ns.name: <problem>` — how a RouteTable's problem shows on the root VirtualService. */
export function onSubRouteTable(rt: Resource<'RouteTable'>, problem: string): string {
  return `on sub route table ${resourceKey(rt)}: ${problem}`;
}

function addError(ctx: DelegationContext, owner: RouteOwner, message: string): void {
  ctx.reports.addError(owner, message);
  if (owner.kind === 'RouteTable') ctx.reports.addError(ctx.root, onSubRouteTable(owner, message));
}

function addWarning(ctx: DelegationContext, owner: RouteOwner, message: string): void {
  ctx.reports.addWarning(owner, message);
  if (owner.kind === 'RouteTable') ctx.reports.addWarning(ctx.root, onSubRouteTable(owner, message));
}

/**
 * The Proxy routes of `routes`, owned by `owner`, below `parent` (undefined at the VirtualService).
 * `visited` is the chain of RouteTables above, for cycle detection.
 */
export function flattenRoutes(
  ctx: DelegationContext,
  owner: RouteOwner,
  routes: readonly GatewayRoute[],
  parent: ParentRoute | undefined = undefined,
  visited: readonly Resource<'RouteTable'>[] = [],
): ProxyRoute[] {
  const out: ProxyRoute[] = [];
  const ownerNs = owner.metadata.namespace;
  routes.forEach((original, index) => {
    const errors = validateRoute(original, owner);
    for (const e of errors) addError(ctx, owner, e);
    if (errors.length > 0) return;
    if (original.graphqlApiRef) return; // reported as an unsupported field

    const naming = ctx.naming ? routeName(owner, ctx.naming, parent, original.name, index) : undefined;
    let route: GatewayRoute = { ...original };
    const options = withDelegatedOptions(
      'RouteOption',
      route.options,
      route.optionsConfigRefs?.delegateOptions,
      ownerNs,
      ctx.routeOptions,
      (m) => addWarning(ctx, owner, m),
    );
    if (options) route.options = options;

    if (parent) {
      const merged = mergeChildRoute(route, parent);
      if ('warning' in merged) {
        addWarning(ctx, owner, merged.warning);
        return;
      }
      route = merged.route;
    } else {
      const inherited = inheritTransformations(route.options, ctx.virtualHostOptions?.stagedTransformations);
      if (inherited) route.options = inherited;
    }

    if (!route.delegateAction) {
      // Transformations compile here, on the options the route ends up with (refs and inheritance
      // merged), so a bad template rejects the VirtualService and its last accepted version serves.
      const problems = transformationRouteProblems(route, ctx.skipTransformationTemplates === true);
      for (const p of problems) addError(ctx, owner, `route ${index}: ${p}`);
      if (problems.length > 0) return;
      const name = naming ? (naming.hasName ? naming.name : undefined) : route.name;
      const proxyRoute = simpleProxyRoute(route, ownerNs, name);
      if (proxyRoute) out.push(proxyRoute);
      return;
    }

    const delegate = delegateRouteMatcher(route);
    if ('error' in delegate) {
      addError(ctx, owner, delegate.error);
      return;
    }
    const selection = selectRouteTables(route.delegateAction, ownerNs, ctx.routeTables);
    if ('warning' in selection) {
      addWarning(ctx, owner, selection.warning);
      return;
    }
    const info: ParentRoute = {
      matcher: delegate.matcher,
      options: route.options,
      name: naming?.name ?? route.name ?? '',
      hasName: naming?.hasName ?? Boolean(route.name),
      inheritableMatchers: route.inheritableMatchers ?? false,
      inheritablePathMatchers: route.inheritablePathMatchers ?? false,
    };
    for (const group of groupByWeight(selection.tables)) {
      let groupRoutes: ProxyRoute[] = [];
      for (const rt of group) {
        if (visited.includes(rt)) {
          // Reported on the table about to be visited again: the one that closes the cycle.
          addError(ctx, rt, delegationCycleErr([...visited, rt].map(resourceKey)));
          continue;
        }
        groupRoutes.push(...flattenRoutes(ctx, rt, rt.spec.routes ?? [], info, [...visited, rt]));
      }
      if (group.length > 1) groupRoutes = sortRoutesBySpecificity(groupRoutes);
      out.push(...groupRoutes);
    }
  });
  for (const r of out) {
    if (owner.kind !== 'RouteTable' && !r.metadataStatic) continue;
    r.metadataStatic = { sources: [...(r.metadataStatic?.sources ?? []), ...sourceMetadata([owner]).sources] };
  }
  return out;
}
