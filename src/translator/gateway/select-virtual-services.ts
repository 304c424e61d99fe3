/**
 * Which VirtualServices an httpGateway serves (spec §1.4): the SSL partition, then one selection
 * mode — `virtualServiceExpressions` (not implemented yet: treated as "all") > `virtualServiceSelector`
 * > `virtualServices` refs > all — with `virtualServiceNamespaces` restricting every mode but refs.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { HttpGateway } from '../../api/kinds/gateway.js';
import type { Reports } from '../reports.js';

/** A VS binds to `ssl: true` gateways exactly when it has an `sslConfig`. */
export function matchesSslPartition(vs: Resource<'VirtualService'>, gateway: Resource<'Gateway'>): boolean {
  return (vs.spec.sslConfig != null) === (gateway.spec.ssl ?? false);
}

function inNamespaces(vs: Resource<'VirtualService'>, namespaces: string[] | undefined): boolean {
  if (!namespaces || namespaces.length === 0 || namespaces.includes('*')) return true;
  return namespaces.includes(vs.metadata.namespace);
}

function labelsMatch(vs: Resource<'VirtualService'>, selector: Record<string, string>): boolean {
  const labels = vs.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The VirtualServices of `gateway`, sorted by `namespace.name`. Missing refs are errors on the Gateway.
 */
export function selectVirtualServices(
  gateway: Resource<'Gateway'>,
  http: HttpGateway,
  virtualServices: readonly Resource<'VirtualService'>[],
  reports: Reports,
): Resource<'VirtualService'>[] {
  let selected: Resource<'VirtualService'>[];
  const hasSelector = http.virtualServiceSelector !== undefined && Object.keys(http.virtualServiceSelector).length > 0;
  if (http.virtualServiceExpressions !== undefined) {
    selected = virtualServices.filter((vs) => inNamespaces(vs, http.virtualServiceNamespaces));
  } else if (hasSelector) {
    const selector = http.virtualServiceSelector!;
    selected = virtualServices.filter((vs) => inNamespaces(vs, http.virtualServiceNamespaces) && labelsMatch(vs, selector));
  } else if (http.virtualServices && http.virtualServices.length > 0) {
    const byKey = new Map(virtualServices.map((vs) => [resourceKey(vs), vs]));
    selected = [];
    for (const ref of http.virtualServices) {
      const key = `${ref.namespace ?? gateway.metadata.namespace}.${ref.name ?? ''}`;
      const vs = byKey.get(key);
      if (!vs) {
        reports.addError(gateway, `invalid virtual service ref ${key}: list did not find virtualService ${key}`);
        continue;
      }
      if (!selected.includes(vs)) selected.push(vs);
    }
  } else {
    selected = virtualServices.filter((vs) => inNamespaces(vs, http.virtualServiceNamespaces));
  }
  return selected
    .filter((vs) => matchesSslPartition(vs, gateway))
    .sort((a, b) => (resourceKey(a) < resourceKey(b) ? -1 : resourceKey(a) > resourceKey(b) ? 1 : 0));
}
