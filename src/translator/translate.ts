/**
 * The whole translation as one pure function — used by `gloo run`, the control plane, validation
 * (a dry run on a proposed snapshot) and the golden tests: ApiSnapshot → Proxies, the xDS resources
 * of each proxy node key (`<writeNamespace>~<proxyName>`), and the reports every status is computed
 * from. Never throws.
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

export interface TranslateOptions {
  /** Where Gateways are read from and Proxies written (default `gloo-system`). */
  writeNamespace?: string | undefined;
  /** The Proxies of the previous translation, by proxy name: what keeps serving when a source has errors. */
  previousProxies?: Map<string, Resource<'Proxy'>> | undefined;
}

export interface TranslationResult {
  proxies: Resource<'Proxy'>[];
  /** xDS resources by node key, e.g. `gloo-system~gateway-proxy`. */
  xds: Map<string, Omit<XdsSnapshot, 'version'>>;
  reports: Reports;
}

export function nodeKey(writeNamespace: string, proxyName: string): string {
  return `${writeNamespace}~${proxyName}`;
}

export function translate(snapshot: ApiSnapshot, opts: TranslateOptions = {}): TranslationResult {
  const writeNamespace = opts.writeNamespace ?? DEFAULT_NAMESPACE;
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
  try {
    const gw = translateGateways(snapshot, { writeNamespace, previous: opts.previousProxies });
    reports.merge(gw.reports);
    proxies = gw.proxies;
  } catch (err) {
    for (const g of snapshot.gateways ?? []) reports.addError(g, internalError(err));
  }
  for (const proxy of proxies) {
    try {
      const out = translateProxy(proxy, snapshot);
      reports.merge(out.reports);
      xds.set(nodeKey(proxy.metadata.namespace, proxy.metadata.name), out.snapshot);
    } catch (err) {
      reports.addError(proxy, internalError(err));
    }
  }
  return { proxies, xds, reports };
}
