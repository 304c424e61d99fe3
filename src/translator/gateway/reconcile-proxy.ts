/**
 * "The last accepted version keeps serving" (spec §3.1): in a newly translated Proxy, a virtual
 * host whose source VirtualService has errors is replaced by the same-named virtual host of the
 * previous Proxy (dropped when there is none), and a listener that could not be built because its
 * Gateway has errors keeps its previous version. Warnings withhold nothing.
 *
 * Gateway errors that come from the VirtualServices it selects (a domain conflict, a missing VS
 * ref) do not freeze the whole listener: the listener is rebuilt and only the offending virtual
 * hosts keep their previous versions, so one bad VirtualService never holds back the others.
 */
import type { Resource } from '../../api/resource.js';
import type { ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { Reports } from '../reports.js';
import { sourceIdents, type SourceMetadataValue } from '../source-metadata.js';

function hasErroredSource(meta: SourceMetadataValue | undefined, reports: Reports): boolean {
  return sourceIdents(meta).some((s) => reports.hasErrors(s));
}

function vhostsOf(l: ProxyListener | undefined): ProxyVirtualHost[] {
  return l?.httpListener?.virtualHosts ?? [];
}

/** A listener that serves nothing is not rendered (Gloo's translateEmptyGateways=false). */
function servesSomething(l: ProxyListener): boolean {
  return l.httpListener === undefined || vhostsOf(l).length > 0;
}

export function reconcileProxy(next: Resource<'Proxy'>, previous: Resource<'Proxy'> | undefined, reports: Reports): Resource<'Proxy'> {
  const prevListeners = new Map((previous?.spec.listeners ?? []).map((l) => [l.name ?? '', l]));
  const listeners: ProxyListener[] = [];
  const names = new Set<string>();
  for (const l of next.spec.listeners ?? []) {
    names.add(l.name ?? '');
    if (!l.httpListener) {
      listeners.push(l);
      continue;
    }
    const prevVhosts = new Map(vhostsOf(prevListeners.get(l.name ?? '')).map((vh) => [vh.name ?? '', vh]));
    const virtualHosts: ProxyVirtualHost[] = [];
    for (const vh of vhostsOf(l)) {
      if (!hasErroredSource(vh.metadataStatic, reports)) virtualHosts.push(vh);
      else {
        const prev = prevVhosts.get(vh.name ?? '');
        if (prev) virtualHosts.push(prev);
      }
    }
    const out: ProxyListener = { ...l, httpListener: { ...l.httpListener, virtualHosts } };
    if (servesSomething(out)) listeners.push(out);
  }
  for (const [name, prev] of prevListeners) {
    if (names.has(name)) continue;
    if (hasErroredSource(prev.metadataStatic, reports)) listeners.push(prev);
  }
  return { ...next, spec: { ...next.spec, listeners } };
}
