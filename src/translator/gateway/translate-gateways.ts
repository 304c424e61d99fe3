/**
 * The gateway translator: Gateways (from the write namespace) and the VirtualServices they select →
 * one Proxy per proxy name, plus reports. Never throws: an unexpected failure becomes an error on the
 * resource being translated.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { HttpGateway } from '../../api/kinds/gateway.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import { Reports } from '../reports.js';
import { sourceMetadata } from '../source-metadata.js';
import { DEFAULT_PROXY_NAME } from './default-gateways.js';
import { selectVirtualServices } from './select-virtual-services.js';
import { reportDomainConflicts } from './domain-conflicts.js';
import { virtualHostForVirtualService } from './virtual-host.js';
import { reconcileProxy } from './reconcile-proxy.js';
import { internalError } from '../internal-error.js';

export interface GatewayTranslationOptions {
  writeNamespace: string;
  /** The Proxies last produced, by proxy name (`gateway-proxy`) or `namespace.name`. */
  previous?: Map<string, Resource<'Proxy'>> | undefined;
}

export interface GatewayTranslation {
  proxies: Resource<'Proxy'>[];
  reports: Reports;
}

/** `gatewayProxy` → `gateway-proxy`, as Gloo kebab-cases proxy names. */
export function proxyNameOf(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function listenerName(bindAddress: string, bindPort: number): string {
  return `listener-${bindAddress}-${bindPort}`;
}

function bindAddressOf(gw: Resource<'Gateway'>): string {
  return gw.spec.bindAddress || '::';
}

function bindKey(gw: Resource<'Gateway'>): string {
  return `${bindAddressOf(gw)}:${gw.spec.bindPort ?? 0}`;
}

/** Translates a snapshot's Gateways into Proxies. */
export function translateGateways(snapshot: ApiSnapshot, opts: GatewayTranslationOptions): GatewayTranslation {
  const reports = new Reports();
  const gateways = snapshot.gateways.filter((g) => g.metadata.namespace === opts.writeNamespace);
  const byProxy = new Map<string, Resource<'Gateway'>[]>();
  for (const gw of gateways) {
    reports.accept(gw);
    const names = gw.spec.proxyNames && gw.spec.proxyNames.length > 0 ? gw.spec.proxyNames : [DEFAULT_PROXY_NAME];
    for (const name of new Set(names.map(proxyNameOf))) {
      const list = byProxy.get(name) ?? [];
      list.push(gw);
      byProxy.set(name, list);
    }
  }

  // One VS may be served by several gateways: translate it once.
  const vhostCache = new Map<Resource<'VirtualService'>, ProxyVirtualHost | undefined>();
  const vhostOf = (vs: Resource<'VirtualService'>): ProxyVirtualHost | undefined => {
    if (vhostCache.has(vs)) return vhostCache.get(vs);
    let vh: ProxyVirtualHost | undefined;
    try {
      vh = virtualHostForVirtualService(vs, reports);
    } catch (err) {
      reports.addError(vs, internalError(err));
    }
    vhostCache.set(vs, vh);
    return vh;
  };

  const proxies: Resource<'Proxy'>[] = [];
  for (const [proxyName, gws] of byProxy) {
    reportNonUniqueBindAddresses(gws, reports);
    const listeners: ProxyListener[] = [];
    for (const gw of gws) {
      try {
        const l = listenerForGateway(gw, snapshot, reports, vhostOf);
        if (l) listeners.push(l);
      } catch (err) {
        reports.addError(gw, internalError(err));
      }
    }
    const next: Resource<'Proxy'> = {
      kind: 'Proxy',
      apiVersion: 'gloo.solo.io/v1',
      metadata: { name: proxyName, namespace: opts.writeNamespace },
      spec: { listeners },
      unsupported: [],
    };
    const previous = opts.previous?.get(proxyName) ?? opts.previous?.get(resourceKey(next));
    proxies.push(reconcileProxy(next, previous, reports));
  }
  return { proxies, reports };
}

function reportNonUniqueBindAddresses(gws: Resource<'Gateway'>[], reports: Reports): void {
  const byBind = new Map<string, Resource<'Gateway'>[]>();
  for (const gw of gws) {
    const list = byBind.get(bindKey(gw)) ?? [];
    list.push(gw);
    byBind.set(bindKey(gw), list);
  }
  for (const [bind, list] of byBind) {
    if (list.length < 2) continue;
    const msg = `bind-address ${bind} is not unique in a proxy. gateways: ${list.map(resourceKey).join(',')}`;
    for (const gw of list) reports.addError(gw, msg);
  }
}

/**
 * The Proxy listener of one Gateway, or undefined when it serves nothing (no type, a shared bind
 * address, a TCP/hybrid gateway, no virtual host).
 */
function listenerForGateway(
  gw: Resource<'Gateway'>,
  snapshot: ApiSnapshot,
  reports: Reports,
  vhostOf: (vs: Resource<'VirtualService'>) => ProxyVirtualHost | undefined,
): ProxyListener | undefined {
  const spec = gw.spec;
  if (!spec.httpGateway && !spec.tcpGateway && !spec.hybridGateway) {
    reports.addError(gw, 'invalid gateway: gateway must contain gatewayType');
    return undefined;
  }
  if (reports.hasErrors(gw)) return undefined; // e.g. a bind address shared with another gateway
  if (!spec.httpGateway) {
    const type = spec.tcpGateway ? 'tcpGateway' : 'hybridGateway';
    if (!gw.unsupported.some((u) => u.path === `spec.${type}`))
      reports.addWarning(gw, `${type} gateways are not served yet: the gateway opens no listener`);
    return undefined;
  }
  const http: HttpGateway = spec.httpGateway;
  const selected = selectVirtualServices(gw, http, snapshot.virtualServices, reports);
  reportDomainConflicts(gw, selected, reports);
  const virtualHosts: ProxyVirtualHost[] = [];
  for (const vs of selected) {
    const vh = vhostOf(vs);
    if (vh) virtualHosts.push(vh);
  }
  if (virtualHosts.length === 0) return undefined;
  const bindAddress = bindAddressOf(gw);
  const bindPort = spec.bindPort ?? 0;
  const listener: ProxyListener = {
    name: listenerName(bindAddress, bindPort),
    bindAddress,
    bindPort,
    httpListener: { virtualHosts },
    metadataStatic: sourceMetadata([gw]),
  };
  // SSL gateways carry the SslConfigs of their VirtualServices (one filter chain each, spec §1.4 step 6).
  if (spec.ssl) listener.sslConfigurations = selected.map((vs) => vs.spec.sslConfig).filter((c) => c != null);
  return listener;
}
