/**
 * Which VirtualServices an httpGateway serves (spec §1.4), as Gloo's `HttpGatewayContainsVirtualService`:
 * 1. the SSL partition: a VS is eligible only if `(vs.sslConfig != null) == ssl`, where `ssl` is the
 *    Gateway's `ssl` flag — or, for the HTTP gateways of a hybrid gateway, whether the matcher has an
 *    sslConfig (the Gateway's flag is ignored there);
 * 2. exactly one selection mode, by priority: `virtualServiceExpressions` (set, even with no
 *    expression) > `virtualServiceSelector` (non-empty) > `virtualServices` refs (non-empty) > all;
 * 3. `virtualServiceNamespaces` (`*` or empty = any) restricts the expressions, selector and "all"
 *    modes, never explicit refs.
 * An expression that is not a valid label requirement is an error on the Gateway; a ref to a
 * VirtualService that does not exist is an error on the Gateway ("invalid virtual service ref …").
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { HttpGateway } from '../../api/kinds/gateway.js';
import type { Reports } from '../reports.js';
import { matchesExpressions, matchesLabels } from '../label-selector.js';

/** Gloo's `VirtualServiceSelectorInvalidExpressionWarning`. */
export const INVALID_EXPRESSION = 'the virtual service selector expression is invalid';

/** A VS binds to `ssl: true` gateways exactly when it has an `sslConfig`. */
export function matchesSslPartition(vs: Resource<'VirtualService'>, ssl: boolean): boolean {
  return (vs.spec.sslConfig != null) === ssl;
}

export function inNamespaces(namespace: string, namespaces: readonly string[] | undefined): boolean {
  if (!namespaces || namespaces.length === 0) return true;
  return namespaces.some((ns) => ns === '*' || ns === namespace);
}

/**
 * A ref as Go's `%v` prints a solo-kit ResourceRef (empty fields omitted):
 * `name:"ghost" namespace:"team-a"`.
 */
export function goRef(ref: { name?: string | undefined; namespace?: string | undefined }): string {
  const parts: string[] = [];
  if (ref.name) parts.push(`name:${JSON.stringify(ref.name)}`);
  if (ref.namespace) parts.push(`namespace:${JSON.stringify(ref.namespace)}`);
  return parts.join(' ');
}

function byKey(a: Resource, b: Resource): number {
  const ka = resourceKey(a);
  const kb = resourceKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The VirtualServices `http` serves, sorted by `namespace.name`. Problems are errors on `gateway`.
 * `ssl`: the partition to serve (the Gateway's `ssl`, or `matcher.sslConfig != null` in a hybrid gateway).
 */
export function selectVirtualServices(
  gateway: Resource<'Gateway'>,
  http: HttpGateway,
  virtualServices: readonly Resource<'VirtualService'>[],
  reports: Reports,
  ssl: boolean,
): Resource<'VirtualService'>[] {
  const namespaces = http.virtualServiceNamespaces;
  let selected: Resource<'VirtualService'>[];
  if (http.virtualServiceExpressions !== undefined) {
    const expressions = http.virtualServiceExpressions.expressions ?? [];
    selected = [];
    for (const vs of virtualServices) {
      if (!matchesSslPartition(vs, ssl)) continue;
      if (expressions.length > 0) {
        const m = matchesExpressions(vs.metadata.labels ?? {}, expressions);
        if (m instanceof Error) {
          reports.addError(gateway, `${m.message}: ${INVALID_EXPRESSION}`);
          continue;
        }
        if (!m) continue;
      }
      if (inNamespaces(vs.metadata.namespace, namespaces)) selected.push(vs);
    }
  } else if (http.virtualServiceSelector !== undefined && Object.keys(http.virtualServiceSelector).length > 0) {
    const selector = http.virtualServiceSelector;
    selected = virtualServices.filter((vs) => matchesSslPartition(vs, ssl) && matchesLabels(vs.metadata.labels, selector) && inNamespaces(vs.metadata.namespace, namespaces));
  } else if (http.virtualServices && http.virtualServices.length > 0) {
    const index = new Map(virtualServices.map((vs) => [resourceKey(vs), vs]));
    selected = [];
    for (const ref of http.virtualServices) {
      // A ref without a namespace means the Gateway's own namespace.
      const vs = index.get(`${ref.namespace || gateway.metadata.namespace}.${ref.name ?? ''}`);
      if (!vs) {
        reports.addError(gateway, `invalid virtual service ref ${goRef(ref)}`);
        continue;
      }
      if (matchesSslPartition(vs, ssl) && !selected.includes(vs)) selected.push(vs);
    }
  } else {
    selected = virtualServices.filter((vs) => matchesSslPartition(vs, ssl) && inNamespaces(vs.metadata.namespace, namespaces));
  }
  return selected.sort(byKey);
}
