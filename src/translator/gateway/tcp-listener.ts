/**
 * A tcpGateway → the Proxy's `tcpListener` (spec §2.7.1): its tcpHosts carried as written (name,
 * sslConfig, destination), with upstream and upstream-group refs that omit a namespace given the
 * Gateway's namespace — as routes get their VirtualService's — and its options.
 */
import type { TcpGateway } from '../../api/kinds/gateway.js';
import type { TcpListener } from '../../api/kinds/proxy.js';
import type { TcpHost } from '../../api/types/listener.js';
import type { Destination } from '../../api/types/destination.js';

function withNamespace(dest: Destination, namespace: string): Destination {
  if (!dest.upstream) return dest;
  return { ...dest, upstream: { ...dest.upstream, namespace: dest.upstream.namespace || namespace } };
}

/** Fills `namespace` into the refs of a tcpHost destination that omit it. */
export function namespaceTcpHost(host: TcpHost, namespace: string): TcpHost {
  const d = host.destination;
  if (!d) return host;
  const out: NonNullable<TcpHost['destination']> = { ...d };
  if (d.single) out.single = withNamespace(d.single, namespace);
  if (d.multi) {
    out.multi = {
      ...d.multi,
      destinations: (d.multi.destinations ?? []).map((w) => (w.destination ? { ...w, destination: withNamespace(w.destination, namespace) } : w)),
    };
  }
  if (d.upstreamGroup) out.upstreamGroup = { ...d.upstreamGroup, namespace: d.upstreamGroup.namespace || namespace };
  return { ...host, destination: out };
}

/** The Proxy tcpListener of a tcpGateway of a Gateway in `namespace`. */
export function tcpListenerFor(tcp: TcpGateway, namespace: string): TcpListener {
  const out: TcpListener = { tcpHosts: (tcp.tcpHosts ?? []).map((h) => namespaceTcpHost(h, namespace)) };
  if (tcp.options) out.options = tcp.options;
  return out;
}
