/**
 * The gateway translator: Gateways (from the write namespace, or every namespace with
 * `settings.gateway.readGatewaysFromAllNamespaces`) and what they select → one Proxy per proxy name,
 * plus reports. An httpGateway becomes an `httpListener`, a tcpGateway a `tcpListener`, a
 * hybridGateway a `hybridListener`. Never throws: an unexpected failure becomes an error on the
 * resource being translated.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { HttpListener, ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { HttpGateway } from '../../api/kinds/gateway.js';
import type { ApiSnapshot } from '../../config/snapshot.js';
import { Reports, type ResourceIdent } from '../reports.js';
import { sourceIdents, sourceMetadata } from '../source-metadata.js';
import { DEFAULT_PROXY_NAME } from './default-gateways.js';
import { selectVirtualServices } from './select-virtual-services.js';
import { reportDomainConflicts } from './domain-conflicts.js';
import { virtualHostForVirtualService } from './virtual-host.js';
import { reconcileProxy } from './reconcile-proxy.js';
import { tcpListenerFor } from './tcp-listener.js';
import { matchedListenersFor, validateHybridGateway } from './hybrid-listener.js';
import { internalError } from '../internal-error.js';
import { identityFingerprint, type MemoTable } from '../translation-cache.js';

export interface GatewayTranslationOptions {
  writeNamespace: string;
  /** The Proxies last produced, by proxy name (`gateway-proxy`) or `namespace.name`. */
  previous?: Map<string, Resource<'Proxy'>> | undefined;
  /** `settings.gateway.readGatewaysFromAllNamespaces` (default false: the write namespace only). */
  readGatewaysFromAllNamespaces?: boolean | undefined;
  /** `settings.gateway.translateEmptyGateways` (default false: an HTTP listener with no virtual host is not rendered). */
  translateEmptyGateways?: boolean | undefined;
  /** Memoised virtual hosts from earlier translations (incremental translation). */
  cache?: MemoTable<ProxyVirtualHost | undefined> | undefined;
  /** `settings.gateway.validation.disableTransformationValidation`: transformation templates are not compiled. */
  skipTransformationTemplates?: boolean | undefined;
}

export interface GatewayTranslation {
  proxies: Resource<'Proxy'>[];
  reports: Reports;
  /**
   * The resources that contributed to each Proxy (by proxy name): its Gateways, the VirtualServices
   * they selected and the resources those name as sources (RouteTables). Subresource statuses are
   * computed from it.
   */
  contributors: Map<string, ResourceIdent[]>;
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

function identOf(r: ResourceIdent): ResourceIdent {
  return { kind: r.kind, metadata: { name: r.metadata.name, namespace: r.metadata.namespace } };
}

/** Translates a snapshot's Gateways into Proxies. */
export function translateGateways(snapshot: ApiSnapshot, opts: GatewayTranslationOptions): GatewayTranslation {
  const reports = new Reports();
  const gateways = opts.readGatewaysFromAllNamespaces
    ? snapshot.gateways
    : snapshot.gateways.filter((g) => g.metadata.namespace === opts.writeNamespace);
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

  // Gateways whose own definition is broken keep their previous listener (docs/architecture.md).
  const broken = new Set<Resource<'Gateway'>>();
  for (const gws of byProxy.values()) for (const gw of reportNonUniqueBindAddresses(gws, reports)) broken.add(gw);

  const ctx = new GatewayContext(snapshot, reports, opts.cache, opts.skipTransformationTemplates === true);
  const contributors = new Map<string, ResourceIdent[]>();
  const proxies: Resource<'Proxy'>[] = [];
  for (const [proxyName, gws] of byProxy) {
    const listeners: ProxyListener[] = [];
    const contributed = new Map<string, ResourceIdent>();
    const contribute = (r: ResourceIdent): void => {
      contributed.set(`${r.kind} ${r.metadata.namespace}.${r.metadata.name}`, identOf(r));
    };
    for (const gw of gws) {
      contribute(gw);
      try {
        const built = ctx.listenerFor(gw, broken);
        for (const r of built.contributors) contribute(r);
        if (built.listener) listeners.push(built.listener);
      } catch (err) {
        reports.addError(gw, internalError(err));
      }
    }
    contributors.set(proxyName, [...contributed.values()]);
    const next: Resource<'Proxy'> = {
      kind: 'Proxy',
      apiVersion: 'gloo.solo.io/v1',
      metadata: { name: proxyName, namespace: opts.writeNamespace },
      spec: { listeners },
      unsupported: [],
    };
    const previous = opts.previous?.get(proxyName) ?? opts.previous?.get(resourceKey(next));
    proxies.push(reconcileProxy(next, previous, reports, { translateEmptyGateways: opts.translateEmptyGateways === true }));
  }
  return { proxies, reports, contributors };
}

/** Reports Gateways sharing a bind address within one proxy; returns them. */
function reportNonUniqueBindAddresses(gws: Resource<'Gateway'>[], reports: Reports): Resource<'Gateway'>[] {
  const byBind = new Map<string, Resource<'Gateway'>[]>();
  for (const gw of gws) {
    const list = byBind.get(bindKey(gw)) ?? [];
    list.push(gw);
    byBind.set(bindKey(gw), list);
  }
  const out: Resource<'Gateway'>[] = [];
  for (const [bind, list] of byBind) {
    if (list.length < 2) continue;
    const msg = `bind-address ${bind} is not unique in a proxy. gateways: ${list.map(resourceKey).join(',')}`;
    for (const gw of list) reports.addError(gw, msg);
    out.push(...list);
  }
  return out;
}

interface BuiltListener {
  listener: ProxyListener | undefined;
  /** The VirtualServices (and their sources) the listener's virtual hosts came from. */
  contributors: ResourceIdent[];
}

/** Per-translation caches: a VS or Gateway served by several proxies is translated once. */
class GatewayContext {
  private readonly vhosts = new Map<string, ProxyVirtualHost | undefined>();
  private readonly listeners = new Map<Resource<'Gateway'>, BuiltListener>();

  /** Fingerprints of the resources a virtual host may reach beyond its VirtualService. */
  private readonly routeTablesFp: string;
  private readonly optionsFp: string;

  constructor(
    private readonly snapshot: ApiSnapshot,
    private readonly reports: Reports,
    private readonly cache: MemoTable<ProxyVirtualHost | undefined> | undefined,
    private readonly skipTransformationTemplates = false,
  ) {
    this.routeTablesFp = cache ? identityFingerprint(snapshot.routeTables) : '';
    this.optionsFp = cache ? identityFingerprint([...(snapshot.virtualHostOptions ?? []), ...(snapshot.routeOptions ?? [])]) : '';
  }

  private vhostOf(vs: Resource<'VirtualService'>, gw: Resource<'Gateway'>): ProxyVirtualHost | undefined {
    const proxyName = proxyNameOf(gw.spec.proxyNames?.[0] ?? DEFAULT_PROXY_NAME);
    const key = `${resourceKey(gw)} ${resourceKey(vs)}`;
    if (this.vhosts.has(key)) return this.vhosts.get(key);
    const build = (reports: Reports): ProxyVirtualHost | undefined => {
      try {
        return virtualHostForVirtualService(vs, reports, {
          snapshot: this.snapshot,
          gatewayName: gw.metadata.name,
          proxyName,
          skipTransformationTemplates: this.skipTransformationTemplates,
        });
      } catch (err) {
        reports.addError(vs, internalError(err));
        return undefined;
      }
    };
    let vh: ProxyVirtualHost | undefined;
    if (this.cache) {
      const refs = referencesOf(vs);
      const deps = [vs, gw.metadata.name, proxyName, refs.routeTables ? this.routeTablesFp : '', refs.options ? this.optionsFp : '', this.skipTransformationTemplates];
      vh = this.cache.compute(`${key} ${proxyName}`, deps, this.reports, build);
    } else vh = build(this.reports);
    this.vhosts.set(key, vh);
    return vh;
  }

  /** The VirtualServices of one httpGateway, checked for domain conflicts. */
  private select(gw: Resource<'Gateway'>, http: HttpGateway, ssl: boolean): Resource<'VirtualService'>[] {
    const selected = selectVirtualServices(gw, http, this.snapshot.virtualServices, this.reports, ssl);
    reportDomainConflicts(gw, selected, this.reports);
    return selected;
  }

  /** The Proxy listener of one Gateway (undefined when it has no valid definition). */
  listenerFor(gw: Resource<'Gateway'>, broken: ReadonlySet<Resource<'Gateway'>>): BuiltListener {
    let built = this.listeners.get(gw);
    if (!built) {
      built = this.build(gw, broken);
      this.listeners.set(gw, built);
    }
    return built;
  }

  private build(gw: Resource<'Gateway'>, broken: ReadonlySet<Resource<'Gateway'>>): BuiltListener {
    const spec = gw.spec;
    const contributors: ResourceIdent[] = [];
    const none = { listener: undefined, contributors };
    if (!spec.httpGateway && !spec.tcpGateway && !spec.hybridGateway) {
      this.reports.addError(gw, 'invalid gateway: gateway must contain gatewayType');
      return none;
    }
    if (broken.has(gw)) return none;
    const bindAddress = bindAddressOf(gw);
    const bindPort = spec.bindPort ?? 0;
    const listener: ProxyListener = { name: listenerName(bindAddress, bindPort), bindAddress, bindPort };
    const httpListenerFor = (http: HttpGateway, ssl: boolean, selected = this.select(gw, http, ssl)): HttpListener => {
      const virtualHosts: ProxyVirtualHost[] = [];
      for (const vs of selected) {
        contributors.push(vs);
        const vh = this.vhostOf(vs, gw);
        if (!vh) continue;
        virtualHosts.push(vh);
        // RouteTables (and any other source) the virtual host and its routes name.
        contributors.push(...sourceIdents(vh.metadataStatic));
        for (const r of vh.routes ?? []) contributors.push(...sourceIdents(r.metadataStatic));
      }
      // HTTP listener options (health check, gzip, buffer, csrf, HCM settings…) travel with the listener.
      return http.options ? { virtualHosts, options: http.options } : { virtualHosts };
    };
    if (spec.httpGateway) {
      const ssl = spec.ssl ?? false;
      const selected = this.select(gw, spec.httpGateway, ssl);
      listener.httpListener = httpListenerFor(spec.httpGateway, ssl, selected);
      // SSL gateways carry the SslConfigs of their VirtualServices (one filter chain each, spec §1.4 step 6).
      if (ssl) listener.sslConfigurations = selected.map((vs) => vs.spec.sslConfig).filter((c) => c != null);
    } else if (spec.tcpGateway) {
      listener.tcpListener = tcpListenerFor(spec.tcpGateway, gw.metadata.namespace);
    } else if (spec.hybridGateway) {
      if (!validateHybridGateway(gw, spec.hybridGateway, this.reports)) return none;
      listener.hybridListener = { matchedListeners: matchedListenersFor(gw, spec.hybridGateway, httpListenerFor) };
    }
    if (spec.options) listener.options = spec.options;
    if (spec.routeOptions) listener.routeOptions = spec.routeOptions;
    listener.metadataStatic = sourceMetadata([gw]);
    return { listener, contributors };
  }
}

const referenceCache = new WeakMap<Resource<'VirtualService'>, { routeTables: boolean; options: boolean }>();

/** Whether a VirtualService can reach RouteTables or option resources (then they are dependencies too). */
function referencesOf(vs: Resource<'VirtualService'>): { routeTables: boolean; options: boolean } {
  let refs = referenceCache.get(vs);
  if (refs === undefined) {
    const vh = vs.spec.virtualHost;
    const routes = vh?.routes ?? [];
    const routeTables = routes.some((r) => r.delegateAction !== undefined);
    // Delegated RouteTable routes may reference option resources too.
    refs = { routeTables, options: routeTables || vh?.optionsConfigRefs !== undefined || routes.some((r) => r.optionsConfigRefs !== undefined) };
    referenceCache.set(vs, refs);
  }
  return refs;
}
