/**
 * One VirtualService → one Proxy virtual host named `<namespace>.<name>`: domains (none ⇒ `*`), the
 * virtual host options with VirtualHostOption refs merged under them (their transformations compiled:
 * a problem is an error on the VS), the routes flattened through RouteTable delegation (./delegation/),
 * and the VS as source metadata.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import type { Reports } from '../reports.js';
import { sourceMetadata } from '../source-metadata.js';
import { withDelegatedOptions } from './options-refs.js';
import { flattenRoutes } from './delegation/delegate.js';
import { transformationOptionProblems } from '../transformation-validation.js';

/** What translating a VirtualService needs beyond the VS itself. */
export interface VirtualHostContext {
  /** The RouteTables, RouteOptions and VirtualHostOptions the VS may reference. */
  snapshot: Pick<ApiSnapshot, 'routeTables' | 'routeOptions' | 'virtualHostOptions'>;
  /** The Gateway and proxy the VS is translated for: Proxy route names are synthesized from them (spec §1.5). */
  gatewayName?: string | undefined;
  proxyName?: string | undefined;
  /** `settings.gateway.validation.disableTransformationValidation`: transformation templates are not compiled. */
  skipTransformationTemplates?: boolean | undefined;
}

const NO_RESOURCES: VirtualHostContext['snapshot'] = { routeTables: [], routeOptions: [], virtualHostOptions: [] };

/**
 * The Proxy virtual host of `vs`, or undefined when the VS has no virtual host. Route errors (on the
 * VS or on a RouteTable it reaches) are errors on the VS; the reconciler then keeps the previous
 * version of its virtual host. Without `ctx`, there are no RouteTables or option resources to find
 * and routes keep their user names.
 */
export function virtualHostForVirtualService(
  vs: Resource<'VirtualService'>,
  reports: Reports,
  ctx?: VirtualHostContext,
): ProxyVirtualHost | undefined {
  const vh = vs.spec.virtualHost;
  const key = resourceKey(vs);
  if (!vh) {
    reports.addWarning(vs, `virtual service [${key}] does not specify a virtual host`);
    return undefined;
  }
  const snapshot = ctx?.snapshot ?? NO_RESOURCES;
  const options = withDelegatedOptions(
    'VirtualHostOption',
    vh.options,
    vh.optionsConfigRefs?.delegateOptions,
    vs.metadata.namespace,
    snapshot.virtualHostOptions,
    (m) => reports.addWarning(vs, m),
  );
  for (const p of transformationOptionProblems(options, { skipTemplates: ctx?.skipTransformationTemplates === true })) {
    reports.addError(vs, `virtual host options: ${p}`);
  }
  const naming = ctx?.gatewayName && ctx.proxyName ? { gatewayName: ctx.gatewayName, proxyName: ctx.proxyName } : undefined;
  const routes = flattenRoutes(
    {
      root: vs,
      routeTables: snapshot.routeTables,
      routeOptions: snapshot.routeOptions,
      virtualHostOptions: options,
      reports,
      naming,
      skipTransformationTemplates: ctx?.skipTransformationTemplates,
    },
    vs,
    vh.routes ?? [],
  );
  const out: ProxyVirtualHost = {
    name: key,
    domains: vh.domains && vh.domains.length > 0 ? vh.domains : ['*'],
    routes,
  };
  if (options) out.options = options;
  out.metadataStatic = sourceMetadata([vs]);
  return out;
}
