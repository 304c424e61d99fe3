/**
 * The whole translation as one pure function — used by `gloo run`, the control plane, validation
 * (a dry run on a proposed snapshot) and the golden tests: ApiSnapshot → Proxies, the xDS resources
 * of each proxy node key (`<writeNamespace>~<proxyName>`), the reports every status is computed
 * from, and the subresource statuses (the state of each Proxy a resource contributed to). The
 * Settings in force (src/translator/settings.ts) drive both stages. Never throws.
 */
import type { Resource } from '../api/resource.js';
import { DEFAULT_NAMESPACE } from '../api/resource.js';
import type { ApiSnapshot } from '../config/snapshot.js';
import type { XdsSnapshot } from '../xds/envoy-types.js';
import { Reports } from './reports.js';
import { acceptSnapshotResources, reportLoadErrors } from './snapshot-reports.js';
import { reportUnsupportedFields } from './unsupported-fields.js';
import { translateGateways } from './gateway/translate-gateways.js';
import { translateProxy } from './gloo/translate-proxy.js';
import { internalError } from './internal-error.js';
import type { MemoTable, TranslationCache } from './translation-cache.js';
import type { ProxyVirtualHost } from '../api/kinds/proxy.js';
import { settingsOf } from './settings.js';
import { statusFromReport, type Status } from '../api/status.js';

export interface TranslateOptions {
  /** Where Gateways are read from and Proxies written (default `gloo-system`). */
  writeNamespace?: string | undefined;
  /** The Proxies of the previous translation, by proxy name: what keeps serving when a source has errors. */
  previousProxies?: Map<string, Resource<'Proxy'>> | undefined;
  /**
   * Caches kept between translations (incremental translation): units whose inputs are the same
   * objects as last time are reused, with their reports. The result is identical to a translation
   * without the cache.
   */
  cache?: TranslationCache | undefined;
}

export interface TranslationResult {
  proxies: Resource<'Proxy'>[];
  /** xDS resources by node key, e.g. `gloo-system~gateway-proxy`. */
  xds: Map<string, Omit<XdsSnapshot, 'version'>>;
  reports: Reports;
  /**
   * Subresource statuses by resource id (`Kind namespace.name`, e.g. `VirtualService default.petstore`):
   * for each Gateway, VirtualService and RouteTable, the status of every Proxy it contributed to,
   * keyed `*v1.Proxy.<proxyName>_<namespace>` as Gloo writes them into `subresourceStatuses`.
   */
  subresources: Map<string, Record<string, Status>>;
}

/** Gloo's key of a Proxy in `subresourceStatuses`: `*v1.Proxy.gateway-proxy_gloo-system`. */
export function proxySubresourceKey(proxy: { metadata: { name: string; namespace: string } }): string {
  return `*v1.Proxy.${proxy.metadata.name}_${proxy.metadata.namespace}`;
}

export function nodeKey(writeNamespace: string, proxyName: string): string {
  return `${writeNamespace}~${proxyName}`;
}

export function translate(snapshot: ApiSnapshot, opts: TranslateOptions = {}): TranslationResult {
  const writeNamespace = opts.writeNamespace ?? DEFAULT_NAMESPACE;
  opts.cache?.beginRun();
  try {
    return translateSnapshot(snapshot, opts, writeNamespace);
  } finally {
    opts.cache?.endRun();
  }
}

function translateSnapshot(snapshot: ApiSnapshot, opts: TranslateOptions, writeNamespace: string): TranslationResult {
  const reports = new Reports();
  const xds = new Map<string, Omit<XdsSnapshot, 'version'>>();
  let proxies: Resource<'Proxy'>[] = [];
  try {
    acceptSnapshotResources(snapshot, reports);
    reportLoadErrors(snapshot, reports);
    reportUnsupportedFields(snapshot, reports);
  } catch (err) {
    // Only a malformed snapshot gets here; say so on every Settings resource we can name.
    for (const s of snapshot.settings ?? []) reports.addError(s, internalError(err));
  }
  const settings = settingsOf(snapshot, writeNamespace);
  let contributors = new Map<string, { kind: string; metadata: { name: string; namespace: string } }[]>();
  try {
    const gw = translateGateways(snapshot, {
      writeNamespace,
      previous: opts.previousProxies,
      readGatewaysFromAllNamespaces: settings.readGatewaysFromAllNamespaces,
      translateEmptyGateways: settings.translateEmptyGateways,
      skipTransformationTemplates: settings.spec.gateway?.validation?.disableTransformationValidation === true,
      cache: opts.cache?.proxyVirtualHosts as MemoTable<ProxyVirtualHost | undefined> | undefined,
    });
    reports.merge(gw.reports);
    proxies = gw.proxies;
    contributors = gw.contributors;
  } catch (err) {
    for (const g of snapshot.gateways ?? []) reports.addError(g, internalError(err));
  }
  for (const proxy of proxies) {
    try {
      const out = translateProxy(proxy, snapshot, undefined, { invalidRoutes: settings.invalidConfigPolicy, cache: opts.cache?.envoyVirtualHosts });
      reports.merge(out.reports);
      xds.set(nodeKey(proxy.metadata.namespace, proxy.metadata.name), out.snapshot);
    } catch (err) {
      reports.addError(proxy, internalError(err));
    }
  }
  const subresources = new Map<string, Record<string, Status>>();
  for (const proxy of proxies) {
    const key = proxySubresourceKey(proxy);
    const status = statusFromReport(reports.get(proxy) ?? { errors: [], warnings: [] });
    for (const r of contributors.get(proxy.metadata.name) ?? []) {
      const id = `${r.kind} ${r.metadata.namespace}.${r.metadata.name}`;
      const subs = subresources.get(id) ?? {};
      subs[key] = status;
      subresources.set(id, subs);
    }
  }
  return { proxies, xds, reports, subresources };
}
