/**
 * Which RouteTables a `delegateAction` names (spec §1.5): the legacy top-level `name`/`namespace`
 * (which win when set), else `ref`, else `selector`. A problem is a Warning on the resource that
 * holds the route, in Gloo's words; the route is then dropped.
 *
 * Selector semantics: `namespaces` omitted ⇒ only tables in the owner's namespace, a list containing
 * `*` ⇒ every namespace, else those namespaces; `labels` (equality) and `expressions` (Kubernetes
 * requirements) may not both be set. Candidates are taken in `namespace.name` order, as Gloo's
 * sorted snapshot lists are.
 */
import type { Resource } from '../../../api/resource.js';
import { resourceKey } from '../../../api/resource.js';
import type { DelegateAction, RouteTableSelector } from '../../../api/types/route.js';
import { matchesExpressions, matchesLabels } from '../../label-selector.js';

export const NO_MATCHING_ROUTE_TABLES = 'no route table matches the given selector';
export const MISSING_REF_AND_SELECTOR =
  'cannot determine delegation target: you must specify a route table either via a resource reference or a selector';
export const LABELS_AND_EXPRESSIONS = 'cannot use both labels and expressions within the same selector';
export const INVALID_EXPRESSION = 'the route table selector expression is invalid';

export function routeTableMissing(namespace: string, name: string): string {
  return `route table ${namespace}.${name} missing`;
}

export type RouteTableSelection = { tables: Resource<'RouteTable'>[] } | { warning: string };

function byKey(a: Resource<'RouteTable'>, b: Resource<'RouteTable'>): number {
  const ka = resourceKey(a);
  const kb = resourceKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The tables of `selector` among `routeTables`, or the warning explaining why there are none.
 * `ownerNamespace` is the namespace of the VirtualService or RouteTable holding the route.
 */
export function routeTablesForSelector(
  selector: RouteTableSelector,
  ownerNamespace: string,
  routeTables: readonly Resource<'RouteTable'>[],
): RouteTableSelection {
  const labels = selector.labels ?? {};
  const expressions = selector.expressions ?? [];
  const hasLabels = Object.keys(labels).length > 0;
  if (hasLabels && expressions.length > 0) return { warning: LABELS_AND_EXPRESSIONS };
  // Every requirement is validated first, as Gloo builds them all before looking at any table.
  const valid = matchesExpressions(undefined, expressions);
  if (valid instanceof Error) return { warning: `${valid.message}: ${INVALID_EXPRESSION}` };
  const namespaces = selector.namespaces ?? [];
  const inNamespace = (ns: string): boolean =>
    namespaces.length === 0 ? ns === ownerNamespace : namespaces.includes('*') || namespaces.includes(ns);
  const tables: Resource<'RouteTable'>[] = [];
  for (const rt of [...routeTables].sort(byKey)) {
    if (hasLabels && !matchesLabels(rt.metadata.labels, labels)) continue;
    if (expressions.length > 0) {
      if (matchesExpressions(rt.metadata.labels, expressions) !== true) continue;
    }
    if (inNamespace(rt.metadata.namespace)) tables.push(rt);
  }
  return tables.length > 0 ? { tables } : { warning: NO_MATCHING_ROUTE_TABLES };
}

/**
 * The tables `action` delegates to. A ref without a namespace means the owner's namespace (as a
 * Gateway's VirtualService refs do); Gloo would look it up in the empty namespace and miss.
 */
export function selectRouteTables(
  action: DelegateAction,
  ownerNamespace: string,
  routeTables: readonly Resource<'RouteTable'>[],
): RouteTableSelection {
  const ref = action.name || action.namespace ? { name: action.name, namespace: action.namespace } : action.ref;
  if (ref) {
    const namespace = ref.namespace || ownerNamespace;
    const name = ref.name ?? '';
    const rt = routeTables.find((t) => t.metadata.namespace === namespace && t.metadata.name === name);
    return rt ? { tables: [rt] } : { warning: routeTableMissing(namespace, name) };
  }
  if (action.selector) return routeTablesForSelector(action.selector, ownerNamespace, routeTables);
  return { warning: MISSING_REF_AND_SELECTOR };
}
