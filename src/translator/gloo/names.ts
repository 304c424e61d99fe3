/**
 * Names of generated Envoy resources, as Gloo spells them (spec §8) — users scrape and alert on them.
 */
import { stableJson } from '../stable-json.js';

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


/** A stable 64-bit FNV-1a hash of a hybrid listener matcher, in decimal (Gloo names chains by a uint64 hash). */
export function matcherHash(matcher: unknown): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(stableJson(matcher ?? {}), 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString();
}

/** `<listener name>-routes-<matcherHash>`: the RouteConfiguration of one matched HTTP listener of a hybrid listener. */
export function hybridRouteConfigName(listenerName: string, matcher: unknown): string {
  return `${routeConfigName(listenerName)}-${matcherHash(matcher)}`;
}
