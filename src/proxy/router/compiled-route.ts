/**
 * One route compiled for the request path: its matcher, what it does (forward to a cluster, redirect,
 * answer directly) and its header edits, already merged with its virtual host's (route first).
 */
import type { Route, VirtualHost } from '../../xds/envoy-types.js';
import type { ClusterSet } from '../upstream/upstream-cluster.js';
import { ForwardAction } from './forward-action.js';
import { HeaderMutation } from './header-mutation.js';
import { CompiledRedirect } from './redirect.js';
import { CompiledRouteMatch } from './route-match.js';

export const enum RouteKind {
  Forward,
  Redirect,
  Direct,
}

export interface DirectResponse {
  status: number;
  body: Buffer | null;
  /** Precomputed `[name, value, …]` for the response (content-length, content-type). */
  headers: readonly string[];
}

export class CompiledRoute {
  readonly name: string;
  readonly match: CompiledRouteMatch;
  readonly kind: RouteKind;
  readonly forward: ForwardAction | null;
  readonly redirect: CompiledRedirect | null;
  readonly direct: DirectResponse | null;
  readonly requestHeaders: HeaderMutation | null;
  readonly responseHeaders: HeaderMutation | null;
  /** The route's `upgrade_configs` (lowercase type → enabled), null when it has none. */
  readonly upgrades: ReadonlyMap<string, boolean> | null;

  /** Throws on a route that cannot be compiled; the caller skips it with a warning. */
  constructor(r: Route, vh: VirtualHost, clusters: ClusterSet) {
    this.name = r.name ?? '';
    if (!r.match) throw new Error('route has no match');
    this.match = new CompiledRouteMatch(r.match);
    this.forward = null;
    this.redirect = null;
    this.direct = null;
    if (r.route !== undefined) {
      this.kind = RouteKind.Forward;
      this.forward = new ForwardAction(r.route, this.match, clusters, vh.retry_policy);
    } else if (r.redirect !== undefined) {
      this.kind = RouteKind.Redirect;
      this.redirect = new CompiledRedirect(r.redirect, this.match);
    } else if (r.direct_response !== undefined) {
      this.kind = RouteKind.Direct;
      this.direct = compileDirect(r.direct_response.status, r.direct_response.body?.inline_string);
    } else {
      throw new Error('route has no action (route, redirect or direct_response)');
    }
    this.upgrades = compileUpgrades(r.route?.upgrade_configs);
    this.requestHeaders = HeaderMutation.compile([
      { add: r.request_headers_to_add, remove: r.request_headers_to_remove },
      { add: vh.request_headers_to_add, remove: vh.request_headers_to_remove },
    ]);
    this.responseHeaders = HeaderMutation.compile([
      { add: r.response_headers_to_add, remove: r.response_headers_to_remove },
      { add: vh.response_headers_to_add, remove: vh.response_headers_to_remove },
    ]);
  }
}

/** Envoy `upgrade_configs` as lowercase type → enabled (`enabled` defaults to true); null when empty. */
export function compileUpgrades(
  configs: readonly { upgrade_type: string; enabled?: { value?: boolean } | undefined }[] | undefined,
): Map<string, boolean> | null {
  if (configs === undefined || configs.length === 0) return null;
  const out = new Map<string, boolean>();
  for (const c of configs) out.set(c.upgrade_type.toLowerCase(), c.enabled?.value !== false);
  return out;
}

function compileDirect(status: number, body: string | undefined): DirectResponse {
  const code = Number(status);
  if (!Number.isInteger(code) || code < 200 || code > 599) throw new Error(`direct_response status ${status} is not in 200..599`);
  if (body === undefined || body === '') return { status: code, body: null, headers: ['content-length', '0'] };
  const buf = Buffer.from(body, 'utf8');
  return { status: code, body: buf, headers: ['content-length', String(buf.length), 'content-type', 'text/plain'] };
}
