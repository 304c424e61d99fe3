/**
 * "The last accepted version keeps serving" (spec §3.1): in a newly translated Proxy, a virtual
 * host whose source VirtualService has errors is replaced by the same-named virtual host of the
 * previous Proxy (dropped when there is none), and a listener that could not be built because its
 * Gateway has errors keeps its previous version. Warnings withhold nothing. The same holds inside a
 * hybrid listener: each matched HTTP listener is reconciled against the previous matched listener
 * with the same matcher.
 *
 * Gateway errors that come from the VirtualServices it selects (a domain conflict, a missing VS
 * ref) do not freeze the whole listener: the listener is rebuilt and only the offending virtual
 * hosts keep their previous versions, so one bad VirtualService never holds back the others.
 *
 * An HTTP listener left with no virtual host is not rendered (no port opened) unless
 * `translateEmptyGateways`; likewise a matched HTTP listener of a hybrid listener, and a hybrid
 * listener left with no matched listener.
 */
import type { Resource } from '../../api/resource.js';
import type { HttpListener, MatchedListener, ProxyListener, ProxyVirtualHost } from '../../api/kinds/proxy.js';
import type { Reports } from '../reports.js';
import { sourceIdents, type SourceMetadataValue } from '../source-metadata.js';
import { matcherKey } from './hybrid-listener.js';

export interface ReconcileOptions {
  /** `settings.gateway.translateEmptyGateways`: render HTTP listeners that have no virtual host. */
  translateEmptyGateways?: boolean;
}

function hasErroredSource(meta: SourceMetadataValue | undefined, reports: Reports): boolean {
  return sourceIdents(meta).some((s) => reports.hasErrors(s));
}

function reconcileHttp(next: HttpListener, prev: HttpListener | undefined, reports: Reports): HttpListener {
  const prevVhosts = new Map((prev?.virtualHosts ?? []).map((vh) => [vh.name ?? '', vh]));
  const virtualHosts: ProxyVirtualHost[] = [];
  for (const vh of next.virtualHosts ?? []) {
    if (!hasErroredSource(vh.metadataStatic, reports)) virtualHosts.push(vh);
    else {
      const p = prevVhosts.get(vh.name ?? '');
      if (p) virtualHosts.push(p);
    }
  }
  return { ...next, virtualHosts };
}

function reconcileMatched(next: MatchedListener[], prev: MatchedListener[], reports: Reports, keepEmpty: boolean): MatchedListener[] {
  const prevByMatcher = new Map(prev.map((m) => [matcherKey(m.matcher), m]));
  const out: MatchedListener[] = [];
  for (const m of next) {
    if (!m.httpListener) {
      out.push(m);
      continue;
    }
    const httpListener = reconcileHttp(m.httpListener, prevByMatcher.get(matcherKey(m.matcher))?.httpListener, reports);
    if (keepEmpty || (httpListener.virtualHosts ?? []).length > 0) out.push({ ...m, httpListener });
  }
  return out;
}

export function reconcileProxy(
  next: Resource<'Proxy'>,
  previous: Resource<'Proxy'> | undefined,
  reports: Reports,
  opts: ReconcileOptions = {},
): Resource<'Proxy'> {
  const keepEmpty = opts.translateEmptyGateways === true;
  const prevListeners = new Map((previous?.spec.listeners ?? []).map((l) => [l.name ?? '', l]));
  const listeners: ProxyListener[] = [];
  const names = new Set<string>();
  for (const l of next.spec.listeners ?? []) {
    names.add(l.name ?? '');
    const prev = prevListeners.get(l.name ?? '');
    if (l.httpListener) {
      const httpListener = reconcileHttp(l.httpListener, prev?.httpListener, reports);
      if (keepEmpty || (httpListener.virtualHosts ?? []).length > 0) listeners.push({ ...l, httpListener });
    } else if (l.hybridListener) {
      const matchedListeners = reconcileMatched(l.hybridListener.matchedListeners ?? [], prev?.hybridListener?.matchedListeners ?? [], reports, keepEmpty);
      if (matchedListeners.length > 0) listeners.push({ ...l, hybridListener: { ...l.hybridListener, matchedListeners } });
    } else {
      listeners.push(l);
    }
  }
  for (const [name, prev] of prevListeners) {
    if (names.has(name)) continue;
    if (hasErroredSource(prev.metadataStatic, reports)) listeners.push(prev);
  }
  return { ...next, spec: { ...next.spec, listeners } };
}
