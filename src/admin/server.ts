/**
 * The admin HTTP server (DESIGN §2): `/ready`, `/metrics` (Prometheus), `/stats`, `/config_dump`,
 * `/clusters` (the data plane's hosts and their health, Envoy's text or `?format=json`),
 * the resource/status API that glooctl reads (`/api/v1/resources`, `/api/v1/statuses`,
 * `/api/v1/errors`), the xDS state (`/api/v1/xds`: connected proxies and their ACK/NACK state) and
 * validation (`POST /api/v1/validate`, a dry run of a proposed change). It binds to 127.0.0.1 unless
 * told otherwise. It only reads from the parts it is given: validation translates
 * a copy and never changes what is served.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlPlane } from '../pipeline/control-plane.js';
import type { SnapshotCache } from '../xds/cache.js';
import { CLUSTER_GAUGES, type ProxyStats } from '../proxy/stats.js';
import type { ClusterStatus } from '../proxy/upstream/health/cluster-status.js';
import { clustersJson, clustersText } from './clusters.js';
import { toKubeObject } from '../api/serialize.js';
import { findKind } from '../api/kinds.js';
import { formatLoadError } from '../api/load.js';
import type { Logger } from '../logger.js';
import { changeFromFiles, validateChange, VALIDATE_REQUEST_TYPE, type ProposedFile, type ResourceKey } from '../validation/index.js';

/** Largest body `POST /api/v1/validate` reads (413 past it). */
export const MAX_VALIDATE_BODY_BYTES = 10 * 1024 * 1024;

export interface AdminDeps {
  /** true once the first configuration is serving. */
  ready(): boolean;
  controlPlane?: ControlPlane;
  cache?: SnapshotCache;
  /** The data plane's counters; a promise when they are gathered from worker processes. */
  proxyStats?: () => ProxyStats | undefined | Promise<ProxyStats | undefined>;
  /** xDS state for `GET /api/v1/xds`: the ADS server's connected proxies, or a proxy's client state (may be a promise). */
  xdsStatus?: () => unknown;
  /** More Prometheus lines for `/metrics` (e.g. `xds_acks_total`). */
  extraMetrics?: () => string[];
  /** What `/config_dump` shows when this process has no cache (a proxy: what it applied; may be a promise). */
  configDump?: () => unknown;
  /** The data plane's clusters and host health for `/clusters` (a promise when gathered from workers). */
  clusters?: () => ClusterStatus[] | Promise<ClusterStatus[]>;
  logger: Logger;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startAdminServer(deps: AdminDeps, port: number, host = '127.0.0.1'): Promise<AdminServer> {
  const server = http.createServer((req, res) => {
    try {
      if (req.method === 'POST' && new URL(req.url ?? '/', 'http://admin').pathname === '/api/v1/validate') {
        void handleValidate(deps, req, res).catch((err: unknown) => {
          deps.logger.error('admin request failed', { path: req.url, error: err });
          if (!res.headersSent) send(res, 500, { error: (err as Error).message });
          else res.destroy();
        });
        return;
      }
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

/** Sends `body` (JSON), waiting for it first when it is a promise (answers gathered from worker processes). */
function sendLater(res: http.ServerResponse, deps: AdminDeps, body: unknown, then: (value: any) => void = (v) => send(res, 200, v)): void {
  if (!(body instanceof Promise)) return then(body);
  body.then(then, (err: unknown) => {
    deps.logger.error('admin request failed', { error: err });
    if (!res.headersSent) send(res, 500, { error: (err as Error).message });
    else res.destroy();
  });
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
  if (path === '/api/v1/validate') return send(res, 405, { error: 'use POST with the resources to validate as the body' });
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
  if (path === '/api/v1/statuses') {
    const cp = deps.controlPlane;
    if (!cp) return send(res, 404, { error: 'this process has no control plane' });
    // Every resource's own status, flattened (Secrets included, which have no status in their Kubernetes form).
    const items = cp
      .list()
      .map((r) => ({ kind: r.resource.kind, namespace: r.resource.metadata.namespace, name: r.resource.metadata.name, ...r.own }))
      .sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`));
    return send(res, 200, { reporter: cp.writeNamespace, items });
  }
  if (path === '/api/v1/errors') {
    const cp = deps.controlPlane;
    if (!cp) return send(res, 404, { error: 'this process has no control plane' });
    return send(res, 200, { errors: cp.errors().map((e) => ({ ...e, text: formatLoadError(e) })) });
  }
  if (path === '/api/v1/xds') {
    if (!deps.xdsStatus) return send(res, 404, { error: 'this process serves no xDS' });
    return sendLater(res, deps, deps.xdsStatus());
  }
  if (path === '/config_dump') {
    const cache = deps.cache;
    if (!cache && deps.configDump) return sendLater(res, deps, deps.configDump());
    if (!cache) return send(res, 404, { error: 'no xDS cache in this process' });
    const snapshots: Record<string, unknown> = {};
    for (const key of cache.keys()) snapshots[key] = cache.get(key);
    return send(res, 200, { snapshots });
  }
  if (path === '/clusters') {
    if (!deps.clusters) return send(res, 404, { error: 'this process has no data plane' });
    const json = url.searchParams.get('format') === 'json';
    return sendLater(res, deps, deps.clusters(), (statuses: ClusterStatus[]) =>
      json ? send(res, 200, clustersJson(statuses)) : send(res, 200, clustersText(statuses), 'text/plain'),
    );
  }
  if (path === '/stats' || path === '/metrics') {
    return sendLater(res, deps, deps.proxyStats?.(), (stats: ProxyStats | undefined) => sendStats(deps, path, stats, res));
  }
  if (path === '/') {
    return send(res, 200, {
      endpoints: [
        '/ready',
        '/metrics',
        '/stats',
        '/config_dump',
        '/clusters?format=json',
        '/api/v1/resources?kind=&name=&namespace=',
        '/api/v1/statuses',
        '/api/v1/errors',
        '/api/v1/xds',
        'POST /api/v1/validate',
      ],
    });
  }
  return send(res, 404, { error: `no such admin endpoint: ${path}` });
}

function sendStats(deps: AdminDeps, path: string, stats: ProxyStats | undefined, res: http.ServerResponse): void {
  const lines: string[] = [];
  if (stats) {
    const flat: [string, number][] = [
      ['http.downstream_rq_total', stats.downstream_rq_total],
      ['http.downstream_rq_no_route', stats.downstream_rq_no_route],
      ['http.downstream_rq_no_cluster', stats.downstream_rq_no_cluster],
    ];
    for (const [cluster, cs] of Object.entries(stats.clusters))
      for (const [k, v] of Object.entries(cs)) flat.push([`cluster.${cluster}.${k}`, v as number]);
    for (const [prefix, ts] of Object.entries(stats.tcp ?? {}))
      for (const [k, v] of Object.entries(ts)) flat.push([`tcp.${prefix}.${k}`, v as number]);
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
      for (const [prefix, ts] of Object.entries(stats.tcp ?? {}))
        for (const [k, v] of Object.entries(ts)) {
          const metric = `envoy_tcp_${k}`;
          if (!byMetric.has(metric)) byMetric.set(metric, []);
          byMetric.get(metric)!.push(`${metric}{envoy_tcp_prefix="${prefix}"} ${v}`);
        }
      // Gauges go down (`*_active`, membership, health); the rest are counters.
      for (const [metric, samples] of byMetric) {
        const gauge = metric.endsWith('_active') || CLUSTER_GAUGES.has(metric.slice('envoy_cluster_'.length));
        lines.push(`# TYPE ${metric} ${gauge ? 'gauge' : 'counter'}`, ...samples);
      }
    }
  }
  if (path === '/metrics' && deps.extraMetrics) lines.push(...deps.extraMetrics());
  return send(res, 200, lines.join('\n') + '\n', 'text/plain; version=0.0.4');
}

/** Past this many bytes an oversized body is no longer drained: the connection is closed. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body up to `limit` bytes; undefined when it is larger. The rest of an oversized body is
 * read and dropped (up to MAX_DRAIN_BYTES), so the client, still sending, gets the 413 rather than
 * a connection reset.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      over = true;
      resolve(undefined);
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        if (size > MAX_DRAIN_BYTES) req.socket.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return resolve(undefined);
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function parseDeletes(value: unknown): ResourceKey[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return '"delete" must be a list of {kind, namespace, name}';
  const out: ResourceKey[] = [];
  for (const d of value as unknown[]) {
    const o = d as Partial<Record<'kind' | 'namespace' | 'name', unknown>> | null;
    const info = typeof o?.kind === 'string' ? findKind(o.kind) : undefined;
    if (!info || typeof o?.name !== 'string') return `each "delete" entry needs a known kind and a name, got ${JSON.stringify(d)}`;
    out.push({ kind: info.kind, namespace: typeof o.namespace === 'string' && o.namespace ? o.namespace : 'gloo-system', name: o.name });
  }
  return out;
}

/**
 * `POST /api/v1/validate`: the body is the YAML/JSON text of a change (several documents allowed),
 * or a {@link VALIDATE_REQUEST_TYPE} envelope. Answers `{allowed, message, webhook, results, settings}`
 * (200 whatever the decision; 4xx only for a request that cannot be understood).
 */
async function handleValidate(deps: AdminDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const cp = deps.controlPlane;
  if (!cp) return send(res, 404, { error: 'this process has no control plane' });
  const body = await readBody(req, MAX_VALIDATE_BODY_BYTES);
  if (!body) {
    return send(res, 413, { error: `request body is larger than ${MAX_VALIDATE_BODY_BYTES} bytes` });
  }
  const url = new URL(req.url ?? '/', 'http://admin');
  const text = body.toString('utf8');
  let files: ProposedFile[];
  let deletes: ResourceKey[] = [];
  if ((req.headers['content-type'] ?? '').split(';')[0]!.trim() === VALIDATE_REQUEST_TYPE) {
    let envelope: { files?: unknown; delete?: unknown };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch (err) {
      return send(res, 400, { error: `invalid ${VALIDATE_REQUEST_TYPE} body: ${(err as Error).message}` });
    }
    const raw = envelope?.files ?? [];
    if (!Array.isArray(raw) || raw.some((f) => typeof f?.name !== 'string' || typeof f?.content !== 'string'))
      return send(res, 400, { error: '"files" must be a list of {name, content} strings' });
    files = raw as ProposedFile[];
    const parsed = parseDeletes(envelope.delete);
    if (typeof parsed === 'string') return send(res, 400, { error: parsed });
    deletes = parsed;
  } else {
    files = [{ name: url.searchParams.get('file') || 'request', content: text }];
  }
  const current = cp.currentSnapshot();
  // Gloo's words for the same situation.
  if (!current) return send(res, 503, { error: 'validation is not yet available. Waiting for first snapshot' });
  const result = validateChange(current, changeFromFiles(files, deletes), { writeNamespace: cp.writeNamespace });
  if (!result.allowed) deps.logger.info('validation denied a change', { message: result.message });
  return send(res, 200, { ...result, webhook: `gloo.${cp.writeNamespace}.svc` });
}
