/**
 * Request mirroring (`request_mirror_policies`): a fire-and-forget copy of the request to another
 * cluster. The Host gets Envoy's `-shadow` suffix (before the port) unless
 * `disable_shadow_host_suffix_append`; the response is read and discarded; failures are counted on the
 * mirror cluster (`upstream_rq_shadow_error`), never logged per request and never seen by the client.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { countUpstreamStatus, type ClusterStats } from '../stats.js';
import type { MirrorPolicy } from './forward-action.js';
import type { HeaderObject } from './header-mutation.js';

/** `host[:port]` → `host-shadow[:port]`, as Envoy's `shadowAppendedHost`. */
export function shadowHost(host: string): string {
  const bracket = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (colon > bracket && colon !== -1) return `${host.slice(0, colon)}-shadow${host.slice(colon)}`;
  return `${host}-shadow`;
}

class ShadowHandler implements Dispatcher.DispatchHandler {
  private failed = false;
  constructor(private readonly stats: ClusterStats) {}
  onConnect(): void {}
  onHeaders(statusCode: number): boolean {
    if (statusCode >= 200) countUpstreamStatus(this.stats, statusCode);
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {}
  onError(): void {
    if (this.failed) return;
    this.failed = true;
    this.stats.upstream_rq_shadow_error++;
  }
}

/** Sends the shadow copy; `body` is null for a request without body. */
export function sendShadow(
  m: MirrorPolicy,
  method: string,
  path: string,
  headers: HeaderObject,
  body: Readable | null,
  rand: number = Math.random(),
): void {
  if (m.fraction < 1 && rand >= m.fraction) {
    body?.destroy();
    return;
  }
  const cluster = m.cluster;
  if (cluster === null) {
    body?.destroy();
    return;
  }
  const stats = cluster.stats;
  const host = cluster.chooseHost();
  if (host === null) {
    stats.upstream_cx_none_healthy++;
    stats.upstream_rq_shadow_error++;
    body?.destroy();
    return;
  }
  const h: HeaderObject = { ...headers };
  if (m.appendShadowSuffix && typeof h.host === 'string') h.host = shadowHost(h.host);
  stats.upstream_rq_total++;
  const handler = new ShadowHandler(stats);
  try {
    host.pool.dispatch({ path, method: method as Dispatcher.HttpMethod, headers: h as Record<string, string | string[]>, body }, handler);
  } catch {
    handler.onError();
    body?.destroy();
  }
}
