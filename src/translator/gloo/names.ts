/**
 * Names of generated Envoy resources, as Gloo spells them (spec §8) — users scrape and alert on them.
 */

/** `<upstream>_<namespace>`, e.g. `petstore_gloo-system`. */
export function clusterName(ref: { name?: string | undefined; namespace?: string | undefined }): string {
  return `${ref.name ?? ''}_${ref.namespace ?? ''}`;
}

/** `<listener name>-routes`. */
export function routeConfigName(listenerName: string): string {
  return `${listenerName}-routes`;
}

/** The Envoy virtual host name of a Proxy virtual host: dots become underscores. */
export function envoyVirtualHostName(proxyVhostName: string): string {
  return proxyVhostName.replace(/\./g, '_');
}

/** `<vhost>-route-<i>-matcher-<j>`, or `<vhost>-route-<i>-<routeName>-matcher-<j>` for a named route. */
export function envoyRouteName(vhostName: string, routeIndex: number, matcherIndex: number, routeName?: string): string {
  return `${vhostName}-route-${routeIndex}${routeName ? `-${routeName}` : ''}-matcher-${matcherIndex}`;
}
