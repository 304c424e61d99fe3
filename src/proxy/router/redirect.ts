/**
 * Envoy's `redirect` route action: builds the Location URL from the request and the configured
 * scheme, host, port, path or prefix rewrite and query stripping, and picks the status
 * (default 301). Port handling follows Envoy: the request's port is dropped when a port redirect is
 * configured, or when the scheme changes away from that port's default (http://h:80 → https://h).
 *
 * Example: `{https_redirect: true}` on `GET http://example.com:80/a?b` → `301 https://example.com/a?b`.
 */
import type { RedirectAction } from '../../xds/envoy-types.js';
import { PathKind, type CompiledRouteMatch } from './route-match.js';
import { portSeparator } from './virtual-host-selector.js';
import type { RequestView } from './request-view.js';

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export class CompiledRedirect {
  readonly status: number;
  private readonly scheme: string | null;
  private readonly host: string | null;
  /** `:port` or null */
  private readonly port: string | null;
  private readonly pathRedirect: string | null;
  private readonly pathRedirectHasQuery: boolean;
  private readonly prefixRewrite: string | null;
  /** Prefix match: length of the matched prefix; -1 replaces the whole path. */
  private readonly matchedPrefixLength: number;
  private readonly stripQuery: boolean;

  constructor(r: RedirectAction, match: CompiledRouteMatch) {
    this.status = REDIRECT_CODES[r.response_code ?? 'MOVED_PERMANENTLY'] ?? 301;
    this.scheme = r.scheme_redirect ? r.scheme_redirect.toLowerCase() : r.https_redirect ? 'https' : null;
    this.host = r.host_redirect || null;
    this.port = r.port_redirect ? `:${r.port_redirect}` : null;
    this.pathRedirect = r.path_redirect || null;
    this.pathRedirectHasQuery = this.pathRedirect !== null && this.pathRedirect.includes('?');
    this.prefixRewrite = r.prefix_rewrite ?? null;
    this.matchedPrefixLength = match.kind === PathKind.Prefix ? match.value.length : -1;
    this.stripQuery = r.strip_query === true;
  }

  /** The Location header for a request. `queryAt` is the index of `?` in `url`, or -1. */
  location(req: RequestView, url: string, path: string, queryAt: number): string {
    const xfp = req.headers['x-forwarded-proto'];
    const requestScheme = typeof xfp === 'string' && xfp !== '' ? xfp.toLowerCase() : 'http';
    const scheme = this.scheme ?? requestScheme;
    const host = this.host ?? requestHost(req.headers.host ?? '', requestScheme, scheme, this.port !== null);
    const query = queryAt === -1 || this.stripQuery ? '' : url.slice(queryAt);

    let target: string;
    if (this.pathRedirect !== null) {
      target = this.pathRedirectHasQuery ? this.pathRedirect : this.pathRedirect + query;
    } else if (this.prefixRewrite !== null) {
      target = (this.matchedPrefixLength >= 0 ? this.prefixRewrite + path.slice(this.matchedPrefixLength) : this.prefixRewrite) + query;
    } else {
      target = path + query;
    }
    return `${scheme}://${host}${this.port ?? ''}${target}`;
  }
}

/** Envoy's processRequestHost: drops the request's port when it would be wrong in the new URL. */
function requestHost(host: string, requestScheme: string, newScheme: string, newPort: boolean): string {
  const at = portSeparator(host);
  if (at === -1) return host;
  const port = host.slice(at);
  let remove = newPort;
  if (newScheme !== requestScheme) {
    remove ||= requestScheme === 'https' && port === ':443';
    remove ||= requestScheme === 'http' && port === ':80';
  }
  return remove ? host.slice(0, at) : host;
}
