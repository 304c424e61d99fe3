/**
 * The HTTP connection manager of one listener config (Envoy's `http_connection_manager`): takes a
 * downstream request, selects the virtual host and route from its route table, and either answers
 * locally (404, direct response, redirect, missing cluster, no healthy upstream) or forwards it with
 * the standard proxy headers through the router's upstream request.
 *
 * One instance per compiled config; the listener hands each new request to the instance current at
 * that moment, so a request runs to completion on the config it started with. The request path
 * allocates only the upstream header object, the upstream request handler and its dispatch options.
 * The HTTP filter chain (DESIGN §5) slots in between route selection and forwarding in a later issue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpConnectionManager as HcmConfig } from '../../xds/envoy-types.js';
import { RouteKind, type CompiledRoute } from '../router/compiled-route.js';
import type { RouteTable } from '../router/route-table.js';
import { forwardRequest } from '../router/upstream-request.js';
import type { ProxyStats } from '../stats.js';
import { addForwardedHeaders, type ForwardedHeaderOptions } from './forwarded-headers.js';
import { upstreamRequestHeaders } from './hop-by-hop.js';
import { NO_HEALTHY_UPSTREAM, sendLocalReply } from './local-reply.js';

export class ConnectionManager {
  readonly forwarded: ForwardedHeaderOptions;

  constructor(
    readonly statPrefix: string,
    /** null when the route configuration named by RDS is missing: everything is a 404. */
    readonly routeTable: RouteTable | null,
    private readonly stats: ProxyStats,
    forwarded: ForwardedHeaderOptions,
  ) {
    this.forwarded = forwarded;
  }

  static fromConfig(hcm: HcmConfig, routeTable: RouteTable | null, stats: ProxyStats, scheme: string): ConnectionManager {
    return new ConnectionManager(hcm.stat_prefix ?? '', routeTable, stats, {
      scheme,
      appendXff: hcm.skip_xff_append !== true,
      generateRequestId: hcm.generate_request_id?.value !== false,
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const stats = this.stats;
    stats.downstream_rq_total++;
    const table = this.routeTable;
    const vhost = table === null ? null : table.selectVirtualHost(req.headers.host ?? '');
    if (vhost === null) return this.noRoute(res);
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const route = vhost.findRoute(req, url, path, queryAt);
    if (route === null) return this.noRoute(res);

    switch (route.kind) {
      case RouteKind.Direct: {
        const d = route.direct!;
        if (route.responseHeaders === null) {
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
        return this.forward(req, res, route, url, path, queryAt);
    }
  }

  private forward(req: IncomingMessage, res: ServerResponse, route: CompiledRoute, url: string, path: string, queryAt: number): void {
    const action = route.forward!;
    const cluster = action.selectCluster(req);
    if (cluster === undefined) return this.noRoute(res); // cluster_header absent
    if (cluster === null) {
      this.stats.downstream_rq_no_cluster++;
      sendLocalReply(res, action.notFoundStatus, null);
      return;
    }
    const host = cluster.chooseHost();
    if (host === null) {
      cluster.stats.upstream_cx_none_healthy++;
      sendLocalReply(res, 503, NO_HEALTHY_UPSTREAM);
      return;
    }
    const headers = upstreamRequestHeaders(req.headers);
    addForwardedHeaders(headers, req.socket.remoteAddress, this.forwarded);
    if (action.hostRewrite !== null) headers.host = action.hostRewrite;
    else if (action.autoHostRewrite && host.hostname !== null) headers.host = host.hostname;
    if (route.requestHeaders !== null) route.requestHeaders.applyToObject(headers);
    const target = action.rewritesPath ? action.rewritePath(url, path, queryAt) : url;
    forwardRequest(req, res, host, target, headers, route.responseHeaders, cluster.stats, action.timeoutMs);
  }

  private noRoute(res: ServerResponse): void {
    this.stats.downstream_rq_no_route++;
    sendLocalReply(res, 404, null);
  }
}
