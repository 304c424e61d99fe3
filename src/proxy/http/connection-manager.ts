/**
 * The HTTP connection manager of one listener config (Envoy's `http_connection_manager`): takes a
 * downstream request, applies the HCM's request-header rules (underscores, XFF, request id, via),
 * selects the virtual host and route, runs the HTTP filter chain (filter-chain.ts) and ends in the
 * router: a local answer (404, direct response, redirect, missing cluster, no healthy upstream) or
 * `forwardRequest`. Access logs are written when the downstream response closes. HTTP/1.1 upgrades
 * (websocket) are routed by `handleUpgrade` and tunnelled by upgrade.ts.
 *
 * One instance per compiled config; the listener hands each new request to the instance current at
 * that moment, so a request runs to completion on the config it started with. Without filters,
 * access logs or response header edits the request path allocates only the upstream header object,
 * the upstream request handler and its dispatch options; otherwise one ActiveStream per request.
 *
 * The `server` response header: Envoy writes `server: envoy` unless told otherwise; this data plane
 * writes it only when asked — `server_name` set (OVERWRITE by default, APPEND_IF_ABSENT, or nothing
 * with PASS_THROUGH), or `server_header_transformation` OVERWRITE / APPEND_IF_ABSENT given explicitly
 * without a name (then `envoy`). Otherwise the upstream's `server` header passes through unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpConnectionManager as HcmConfig, RouteConfiguration } from '../../xds/envoy-types.js';
import type { AccessLogs } from '../access-log/access-logger.js';
import type { Logger } from '../logger.js';
import { compileUpgrades, RouteKind, type CompiledRoute } from '../router/compiled-route.js';
import { normalizeUrl } from '../router/path-normalize.js';
import type { RouteTable } from '../router/route-table.js';
import { forwardRequest } from '../router/upstream-request.js';
import { isGrpcContentType } from './grpc.js';
import type { ProxyStats } from '../stats.js';
import { ActiveStream } from './active-stream.js';
import { applyXfcc, compileXfcc, XfccMode, type XfccConfig } from './client-cert.js';
import { compileFilterChain, type FilterChain } from './filter-chain.js';
import { addForwardedHeaders, type ForwardedHeaderOptions } from './forwarded-headers.js';
import { upstreamRequestHeaders } from './hop-by-hop.js';
import { NO_HEALTHY_UPSTREAM, sendLocalReply } from './local-reply.js';
import { ResponseFlag } from './stream-info.js';
import { responseOnSocket, tunnelUpgrade, UpgradeLog } from './upgrade.js';

const SANITIZE_XFCC: XfccConfig = { mode: XfccMode.Sanitize, details: { subject: false, cert: false, chain: false, dns: false, uri: false } };

export const enum UnderscoreAction {
  Allow,
  Reject,
  Drop,
}

export type ServerHeaderMode = 'OVERWRITE' | 'APPEND_IF_ABSENT';

export interface ConnectionManagerOptions {
  chain?: FilterChain | null;
  accessLogs?: AccessLogs | null;
  underscores?: UnderscoreAction;
  /** `server` response header value and mode; null: never touched. */
  server?: { value: string; mode: ServerHeaderMode } | null;
  /** The HCM's `upgrade_configs` (lowercase type → enabled); websocket is allowed unless disabled here. */
  upgrades?: ReadonlyMap<string, boolean> | null;
  /** `x-forwarded-client-cert` policy (SANITIZE when absent). */
  xfcc?: XfccConfig;
  logger?: Logger;
}

export interface ConnectionManagerBuildContext {
  stats: ProxyStats;
  logger: Logger;
  /** The RouteConfiguration behind `routeTable` (for typed_per_filter_config). */
  routeConfig: RouteConfiguration | null;
  accessLogs: AccessLogs | null;
  listener: string;
}

export class ConnectionManager {
  readonly forwarded: ForwardedHeaderOptions;
  readonly chain: FilterChain | null;
  readonly accessLogs: AccessLogs | null;
  private readonly xfcc: XfccConfig;
  private readonly logger: Logger | null;
  private readonly underscores: UnderscoreAction;
  private readonly server: { value: string; mode: ServerHeaderMode } | null;
  private readonly via: string | null;
  private readonly needsStream: boolean;
  private readonly hookHeaders: boolean;
  /** Without the chain (a gated chain no filter applies to): whether the request still needs an ActiveStream / header hook. */
  private readonly needsStreamUnfiltered: boolean;
  private readonly hookHeadersUnfiltered: boolean;
  private readonly upgrades: ReadonlyMap<string, boolean> | null;

  constructor(
    readonly statPrefix: string,
    /** null when the route configuration named by RDS is missing: everything is a 404. */
    readonly routeTable: RouteTable | null,
    readonly stats: ProxyStats,
    forwarded: ForwardedHeaderOptions,
    opts: ConnectionManagerOptions = {},
  ) {
    this.forwarded = forwarded;
    this.chain = opts.chain ?? null;
    this.accessLogs = opts.accessLogs ?? null;
    this.underscores = opts.underscores ?? UnderscoreAction.Allow;
    this.server = opts.server ?? null;
    this.upgrades = opts.upgrades ?? null;
    this.xfcc = opts.xfcc ?? SANITIZE_XFCC;
    this.logger = opts.logger ?? null;
    this.via = forwarded.via ?? null;
    this.hookHeadersUnfiltered = this.accessLogs !== null || this.server !== null || this.via !== null;
    this.needsStreamUnfiltered = this.hookHeadersUnfiltered;
    this.hookHeaders = this.hookHeadersUnfiltered || (this.chain?.encodes ?? false);
    this.needsStream = this.hookHeaders || this.chain !== null;
  }

  static fromConfig(
    hcm: HcmConfig,
    routeTable: RouteTable | null,
    stats: ProxyStats,
    scheme: string,
    ctx: Partial<ConnectionManagerBuildContext> = {},
  ): ConnectionManager {
    const logger = ctx.logger;
    const chain = logger === undefined ? null : compileFilterChain(hcm.http_filters, ctx.routeConfig ?? null, { stats, logger }, ctx.listener ?? '');
    const action = hcm.common_http_protocol_options?.headers_with_underscores_action;
    const underscores =
      action === 'REJECT_REQUEST' || (action as string | undefined) === 'REJECT_CLIENT_REQUEST'
        ? UnderscoreAction.Reject
        : action === 'DROP_HEADER'
          ? UnderscoreAction.Drop
          : UnderscoreAction.Allow;
    return new ConnectionManager(
      hcm.stat_prefix ?? '',
      routeTable,
      stats,
      {
        scheme,
        appendXff: hcm.skip_xff_append !== true,
        generateRequestId: hcm.generate_request_id?.value !== false,
        useRemoteAddress: hcm.use_remote_address?.value,
        xffNumTrustedHops: hcm.xff_num_trusted_hops ?? 0,
        preserveExternalRequestId: hcm.preserve_external_request_id === true,
        via: hcm.via ? hcm.via : null,
      },
      {
        chain,
        accessLogs: ctx.accessLogs ?? null,
        underscores,
        server: serverHeader(hcm),
        upgrades: compileUpgrades(hcm.upgrade_configs),
        xfcc: compileXfcc(hcm),
        ...(logger !== undefined ? { logger } : {}),
      },
    );
  }

  handle(req: IncomingMessage, res: ServerResponse, draining = false): void {
    this.stats.downstream_rq_total++;
    if (this.underscores !== UnderscoreAction.Allow && !this.checkUnderscores(req, res)) return;
    addForwardedHeaders(req.headers, req.socket.remoteAddress, this.forwarded);
    applyXfcc(req, this.xfcc);
    const table = this.routeTable;
    const vhost = table === null ? null : table.selectVirtualHost(req.headers.host ?? '');
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const route = vhost === null ? null : vhost.findRoute(req, url, path, queryAt);
    if (!this.needsStream) return this.dispatch(req, res, route, url, path, queryAt, null);
    const chain = this.chain !== null && this.chain.gated && !this.chain.appliesTo(req) ? null : this.chain;
    if (chain === null && !this.needsStreamUnfiltered) return this.dispatch(req, res, route, url, path, queryAt, null);
    const s = new ActiveStream(this, req, res, draining, vhost, route, url, path, queryAt);
    s.attach(chain === null ? this.hookHeadersUnfiltered : this.hookHeaders, this.accessLogs !== null);
    if (chain === null) s.decodeComplete();
    else chain.start(s);
  }

  /**
   * An HTTP/1.1 upgrade request (node's 'upgrade' event). Envoy's rules: the route's `upgrade_configs`
   * override the HCM's; a type neither enables is refused with 403 (`downstream_rq_ws_on_non_ws_route`);
   * websocket counts as enabled at the HCM unless disabled there (Gloo's default). `Upgrade: h2c` is
   * dropped and the request served over HTTP/1.1, as Envoy's HTTP/1 codec does.
   */
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, draining = false): void {
    const upgrade = req.headers.upgrade ?? '';
    const type = upgrade.toLowerCase();
    if (type === 'h2c' && !hasBody(req)) {
      delete req.headers.upgrade;
      if (head.length > 0) socket.unshift(head);
      this.handle(req, responseOnSocket(req, socket), draining);
      return;
    }
    this.stats.downstream_rq_total++;
    const log = this.accessLogs === null ? null : new UpgradeLog(req, socket, this.accessLogs);
    const reply = (): ServerResponse => (log !== null ? log.reply(req, socket) : responseOnSocket(req, socket));
    let res: ServerResponse | null = null;
    if (this.underscores !== UnderscoreAction.Allow) {
      res = reply();
      if (!this.checkUnderscores(req, res)) return;
    }
    addForwardedHeaders(req.headers, req.socket.remoteAddress, this.forwarded);
    applyXfcc(req, this.xfcc);
    const table = this.routeTable;
    const vhost = table === null ? null : table.selectVirtualHost(req.headers.host ?? '');
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const route = vhost === null ? null : vhost.findRoute(req, url, path, queryAt);
    if (log !== null && route !== null && route.name !== '') log.routeName = route.name;
    const enabled = route?.upgrades?.get(type) ?? this.upgrades?.get(type) ?? type === 'websocket';
    if (!enabled) {
      this.stats.downstream_rq_ws_on_non_ws_route++;
      sendLocalReply(res ?? reply(), 403, null);
      return;
    }
    if (route === null || route.kind !== RouteKind.Forward) {
      this.dispatch(req, res ?? reply(), route, url, path, queryAt, null);
      return;
    }
    const action = route.forward!;
    const cluster = action.selectCluster(req);
    if (cluster === undefined) return this.noRoute(res ?? reply(), null);
    if (cluster === null) {
      this.stats.downstream_rq_no_cluster++;
      sendLocalReply(res ?? reply(), action.notFoundStatus, null);
      return;
    }
    const host = action.pickHost(cluster, req, res);
    if (host === null) {
      cluster.stats.upstream_cx_none_healthy++;
      sendLocalReply(res ?? reply(), 503, NO_HEALTHY_UPSTREAM);
      return;
    }
    if (res !== null) {
      res.detachSocket(socket);
      if (log !== null) log.local = null;
    }
    if (log !== null) {
      log.upstreamHost = host.authority;
      log.upstreamCluster = cluster.name;
    }
    const headers = upstreamRequestHeaders(req.headers);
    if (action.hostRewrite !== null) headers.host = action.hostRewrite;
    else if (action.autoHostRewrite && host.hostname !== null) headers.host = host.hostname;
    const rh = route.requestHeaders;
    if (rh !== null) {
      rh.applyToObject(headers);
      if (rh.hasDynamic) rh.applyDynamicToObject(headers, req);
    }
    const normal = normalizeUrl(url) ?? url;
    const q = normal.indexOf('?');
    const p = q === -1 ? normal : normal.slice(0, q);
    if (action.needsRouter) action.rewriteHost(headers, req.headers, req.headers.host, p);
    const rewritten = action.rewritesPath ? action.rewritePath(url, path, queryAt) : url;
    const target = normalizeUrl(rewritten) ?? rewritten;
    tunnelUpgrade(req, socket, head, host, target, headers, upgrade, this.stats, cluster.stats, log);
  }

  /** A filter resumed a stopped chain. */
  resume(s: ActiveStream): void {
    this.chain?.run(s);
  }

  /**
   * A filter rewrote the request (`req.url`, `req.headers.host`): the router forwards the new target.
   * With `reselect` (Envoy's clearRouteCache) the virtual host and route are selected again, as
   * `handle` does, and the filters not yet run are re-created for the new route.
   */
  requestRewritten(s: ActiveStream, reselect: boolean): void {
    // The stream's target is readonly to filters; route selection is the connection manager's job.
    const t = s as { -readonly [K in 'url' | 'path' | 'queryAt' | 'vhost' | 'route']: ActiveStream[K] };
    const req = s.req;
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    t.url = url;
    t.queryAt = queryAt;
    t.path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (!reselect) return;
    const table = this.routeTable;
    t.vhost = table === null ? null : table.selectVirtualHost(req.headers.host ?? '');
    t.route = t.vhost === null ? null : t.vhost.findRoute(req, url, t.path, queryAt);
    s.routeName = t.route === null || t.route.name === '' ? null : t.route.name;
    this.chain?.recreateAfter(s);
  }

  /** The router: the terminal step of the chain. */
  dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    route: CompiledRoute | null,
    url: string,
    path: string,
    queryAt: number,
    s: ActiveStream | null,
  ): void {
    if (route === null) return this.noRoute(res, s);
    switch (route.kind) {
      case RouteKind.Direct: {
        const d = route.direct!;
        // A gRPC request gets the trailers-only form of a local reply (local-reply.ts), as in Envoy.
        if (route.responseHeaders === null && !isGrpcContentType(req.headers['content-type'])) {
          res.writeHead(d.status, d.headers as string[]);
          if (d.body === null) res.end();
          else res.end(d.body);
        } else {
          sendLocalReply(res, d.status, d.body === null ? null : { body: d.body, headers: d.headers }, route.responseHeaders);
        }
        return;
      }
      case RouteKind.Redirect: {
        const r = route.redirect!;
        sendLocalReply(res, r.status, null, route.responseHeaders, ['location', r.location(req, url, path, queryAt)]);
        return;
      }
      case RouteKind.Forward:
        return this.forward(req, res, route, url, path, queryAt, s);
    }
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    route: CompiledRoute,
    url: string,
    path: string,
    queryAt: number,
    s: ActiveStream | null,
  ): void {
    const action = route.forward!;
    const cluster = action.selectCluster(req);
    if (cluster === undefined) return this.noRoute(res, s); // cluster_header absent
    if (cluster === null) {
      this.stats.downstream_rq_no_cluster++;
      if (s !== null) s.addResponseFlag(ResponseFlag.NoClusterFound);
      sendLocalReply(res, action.notFoundStatus, null);
      return;
    }
    if (s !== null) s.upstreamCluster = cluster.name;
    const host = action.pickHost(cluster, req, res);
    if (host === null) {
      cluster.stats.upstream_cx_none_healthy++;
      sendLocalReply(res, 503, NO_HEALTHY_UPSTREAM);
      return;
    }
    if (s !== null) s.upstreamHost = host.authority;
    const headers = upstreamRequestHeaders(req.headers);
    if (action.hostRewrite !== null) headers.host = action.hostRewrite;
    else if (action.autoHostRewrite && host.hostname !== null) headers.host = host.hostname;
    if (route.requestHeaders !== null) route.requestHeaders.applyToObject(headers);
    const target = action.rewritesPath ? action.rewritePath(url, path, queryAt) : url;
    forwardRequest(req, res, host, target, headers, route.responseHeaders, cluster.stats, action.timeoutMs);
  }

  private noRoute(res: ServerResponse, s: ActiveStream | null): void {
    this.stats.downstream_rq_no_route++;
    if (s !== null) s.addResponseFlag(ResponseFlag.NoRouteFound);
    sendLocalReply(res, 404, null);
  }

  /** headers_with_underscores_action: false when the request was rejected. */
  private checkUnderscores(req: IncomingMessage, res: ServerResponse): boolean {
    const h = req.headers;
    for (const k in h) {
      if (k.indexOf('_') === -1) continue;
      if (this.underscores === UnderscoreAction.Reject) {
        this.stats.downstream_rq_rejected_underscore++;
        res.shouldKeepAlive = false;
        sendLocalReply(res, 400, null);
        return false;
      }
      this.stats.downstream_rq_dropped_headers_with_underscores++;
      delete h[k];
    }
    return true;
  }

  /** Connection-manager edits of every response header list (`server`, `via`), in place. */
  /** A filter threw while handling a body: logged; the request is answered 500. */
  logFilterError(err: unknown): void {
    this.logger?.error('HTTP filter failed; the request is answered 500', { err });
  }

  editResponseHeaders(list: string[]): void {
    const server = this.server;
    if (server !== null) {
      let at = -1;
      for (let i = 0; i < list.length; i += 2) if (list[i]!.length === 6 && list[i]!.toLowerCase() === 'server') at = i;
      if (at === -1) list.push('server', server.value);
      else if (server.mode === 'OVERWRITE') list[at + 1] = server.value;
    }
    if (this.via !== null) {
      let at = -1;
      for (let i = 0; i < list.length; i += 2) if (list[i]!.length === 3 && list[i]!.toLowerCase() === 'via') at = i;
      if (at === -1) list.push('via', this.via);
      else list[at + 1] = `${list[at + 1]!}, ${this.via}`;
    }
  }

  /** The downstream response closed: access logs. */
  logAccess(s: ActiveStream): void {
    const logs = this.accessLogs;
    if (logs !== null) logs.log({ req: s.req, res: s.res, info: s });
  }
}

function hasBody(req: IncomingMessage): boolean {
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

function serverHeader(hcm: HcmConfig): { value: string; mode: ServerHeaderMode } | null {
  const t = hcm.server_header_transformation;
  if (t === 'PASS_THROUGH') return null;
  if (hcm.server_name) return { value: hcm.server_name, mode: t === 'APPEND_IF_ABSENT' ? 'APPEND_IF_ABSENT' : 'OVERWRITE' };
  if (t === 'OVERWRITE' || t === 'APPEND_IF_ABSENT') return { value: 'envoy', mode: t };
  return null;
}
