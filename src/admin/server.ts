/**
 * The admin HTTP server (DESIGN §2): `/ready`, `/metrics` (Prometheus), `/stats`, `/config_dump`,
 * and the resource/status API that glooctl reads (`/api/v1/resources`, `/api/v1/errors`). It binds to
 * 127.0.0.1 unless told otherwise. It only reads from the parts it is given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlPlane } from '../pipeline/control-plane.js';
import type { SnapshotCache } from '../xds/cache.js';
import type { ProxyStats } from '../proxy/stats.js';
import { toKubeObject } from '../api/serialize.js';
import { findKind } from '../api/kinds.js';
import { formatLoadError } from '../api/load.js';
import type { Logger } from '../logger.js';

export interface AdminDeps {
  /** true once the first configuration is serving. */
  ready(): boolean;
  controlPlane?: ControlPlane;
  cache?: SnapshotCache;
  proxyStats?: () => ProxyStats | undefined;
  logger: Logger;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdminServer(deps: AdminDeps, port: number, host = '127.0.0.1'): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    try {
      handle(deps, req, res);
    } catch (err) {
      deps.logger.error('admin request failed', { path: req.url, error: err });
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body, null, 2) + '\n' : String(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(deps: AdminDeps, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://admin');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
  const path = url.pathname;
  if (path === '/ready') {
    const ok = deps.ready();
    return send(res, ok ? 200 : 503, ok ? 'LIVE\n' : 'NOT READY\n', 'text/plain');
  }
  if (path === '/api/v1/resources') {
    const cp = deps.controlPlane;
    if (!cp) return send(res, 404, { error: 'this process has no control plane' });
    const kindParam = url.searchParams.get('kind');
    let kind: string | undefined;
    if (kindParam) {
      const info = findKind(kindParam);
      if (!info) return send(res, 400, { error: `unknown kind "${kindParam}"` });
      kind = info.kind;
    }
    const name = url.searchParams.get('name');
    const namespace = url.searchParams.get('namespace');
    const items = cp
      .list(kind)
      .filter((r) => (!name || r.resource.metadata.name === name) && (!namespace || r.resource.metadata.namespace === namespace))
      .sort((a, b) =>
        `${a.resource.kind}/${a.resource.metadata.namespace}/${a.resource.metadata.name}`.localeCompare(
          `${b.resource.kind}/${b.resource.metadata.namespace}/${b.resource.metadata.name}`,
        ),
      )
      .map((r) => toKubeObject(r.resource, r.status));
    return send(res, 200, { items });
  }
  if (path === '/api/v1/errors') {
    const cp = deps.controlPlane;
    if (!cp) return send(res, 404, { error: 'this process has no control plane' });
    return send(res, 200, { errors: cp.errors().map((e) => ({ ...e, text: formatLoadError(e) })) });
  }
  if (path === '/config_dump') {
    const cache = deps.cache;
    if (!cache) return send(res, 404, { error: 'no xDS cache in this process' });
    const snapshots: Record<string, unknown> = {};
    for (const key of cache.keys()) snapshots[key] = cache.get(key);
    return send(res, 200, { snapshots });
  }
  if (path === '/stats' || path === '/metrics') {
    const stats = deps.proxyStats?.();
    const lines: string[] = [];
    if (stats) {
      const flat: [string, number][] = [
        ['http.downstream_rq_total', stats.downstream_rq_total],
        ['http.downstream_rq_no_route', stats.downstream_rq_no_route],
        ['http.downstream_rq_no_cluster', stats.downstream_rq_no_cluster],
      ];
      for (const [cluster, cs] of Object.entries(stats.clusters))
        for (const [k, v] of Object.entries(cs)) flat.push([`cluster.${cluster}.${k}`, v as number]);
      if (path === '/stats') for (const [k, v] of flat) lines.push(`${k}: ${v}`);
      else {
        lines.push('# TYPE envoy_http_downstream_rq_total counter', `envoy_http_downstream_rq_total ${stats.downstream_rq_total}`);
        lines.push('# TYPE envoy_http_downstream_rq_no_route counter', `envoy_http_downstream_rq_no_route ${stats.downstream_rq_no_route}`);
        const byMetric = new Map<string, string[]>();
        for (const [cluster, cs] of Object.entries(stats.clusters))
          for (const [k, v] of Object.entries(cs)) {
            const metric = `envoy_cluster_${k}`;
            if (!byMetric.has(metric)) byMetric.set(metric, []);
            byMetric.get(metric)!.push(`${metric}{envoy_cluster_name="${cluster}"} ${v}`);
          }
        for (const [metric, samples] of byMetric) lines.push(`# TYPE ${metric} counter`, ...samples);
      }
    }
    return send(res, 200, lines.join('\n') + '\n', 'text/plain; version=0.0.4');
  }
  if (path === '/') {
    return send(res, 200, {
      endpoints: ['/ready', '/metrics', '/stats', '/config_dump', '/api/v1/resources?kind=&name=&namespace=', '/api/v1/errors'],
    });
  }
  return send(res, 404, { error: `no such admin endpoint: ${path}` });
}
