/**
 * The upstream request for a downstream request that declares trailers (`Trailer:` on a chunked
 * request). undici writes a request body's last chunk without trailer fields, so these few requests go
 * through a node:http client instead: the body streams through with backpressure, the downstream
 * trailers follow the last chunk, and the response (with its own trailers) streams back.
 *
 * Same failure handling as upstream-request.ts (local reply before response headers, reset after, the
 * route timeout starting once the request was received); no retries, mirrors or idle timeout on this
 * path (docs/compatibility.md).
 */
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { UPSTREAM_REQUEST_TIMEOUT, sendLocalReply } from '../http/local-reply.js';
import { downstreamResponseHeaders } from '../http/hop-by-hop.js';
import { addTrailers } from '../http/trailers.js';
import { countUpstreamStatus, type ClusterStats } from '../stats.js';
import { needsConnector, openUpstreamSocket } from '../upstream/connection-pools.js';
import type { UpstreamHost } from '../upstream/host.js';
import { responseCompleted } from '../upstream/http2/held-headers.js';
import { LocalFailure } from '../upstream/outlier/host-monitor.js';
import type { HeaderMutation, HeaderObject } from './header-mutation.js';
import { appendGeneratedCookies } from './hash-policy.js';
import { upstreamFailureBody } from '../upstream/upstream-failure.js';
import { CONNECT_FAILURES, formatContext } from './router-request.js';

/** Keep-alive connections for this path (node pools them per host:port). */
const agent = new Agent({ keepAlive: true });

export function forwardWithTrailers(
  req: IncomingMessage,
  res: ServerResponse,
  host: UpstreamHost,
  path: string,
  headers: HeaderObject,
  responseHeaders: HeaderMutation | null,
  stats: ClusterStats,
  timeoutMs: number,
): void {
  stats.upstream_rq_total++;
  headers['transfer-encoding'] = 'chunked';
  headers.trailer = req.headers.trailer;
  let done = false;
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  // TLS and pipe endpoints connect the way their pool does (one connection per such request).
  const own = needsConnector(host.pool);
  const creq = httpRequest({
    host: host.address,
    port: host.port,
    method: req.method,
    path,
    headers: headers as Record<string, string | string[]>,
    ...(own ? { createConnection: () => openUpstreamSocket(host) } : { agent }),
    setHost: false,
  });
  host.activeRequests++;
  const finish = (): void => {
    if (!done) host.activeRequests--;
    done = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  creq.on('response', (ures: IncomingMessage) => {
    if (done) {
      ures.resume();
      return;
    }
    const status = ures.statusCode ?? 502;
    host.monitor.onHttpStatus(status);
    countUpstreamStatus(stats, status);
    let list = downstreamResponseHeaders(ures.rawHeaders as unknown as Buffer[]);
    if (responseHeaders !== null) list = responseHeaders.applyToList(list, responseHeaders.hasDynamic ? formatContext(req, host) : undefined);
    appendGeneratedCookies(res, list);
    try {
      res.writeHead(status, list);
    } catch {
      finish();
      creq.destroy();
      sendLocalReply(res, 502, null);
      return;
    }
    started = true;
    ures.pipe(res, { end: false });
    ures.once('end', () => {
      if (done) return;
      finish();
      if (ures.rawTrailers.length > 0) addTrailers(res, ures.rawTrailers);
      res.end();
    });
    ures.once('aborted', () => {
      finish();
      res.destroy();
    });
  });
  creq.on('error', (err: NodeJS.ErrnoException) => {
    if (done) return;
    finish();
    if (res.destroyed || res.writableEnded) return;
    if (started) {
      res.destroy();
      return;
    }
    stats.upstream_rq_5xx++;
    const connectFailure = CONNECT_FAILURES.has(err.code ?? '');
    host.monitor.onLocalFailure(connectFailure ? LocalFailure.ConnectFailed : LocalFailure.Reset);
    if (connectFailure) stats.upstream_cx_connect_fail++;
    sendLocalReply(res, 503, upstreamFailureBody(err));
  });
  res.once('close', () => {
    if (done || responseCompleted(res)) return;
    finish();
    creq.destroy();
  });
  req.pipe(creq, { end: false });
  req.once('end', () => {
    if (done) return;
    if (req.rawTrailers.length > 0) addTrailers(creq, req.rawTrailers);
    creq.end();
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        timer = null;
        if (done) return;
        finish();
        stats.upstream_rq_timeout++;
        creq.destroy();
        if (started) res.destroy();
        else {
          host.monitor.onLocalFailure(LocalFailure.Timeout);
          stats.upstream_rq_5xx++;
          sendLocalReply(res, 504, UPSTREAM_REQUEST_TIMEOUT);
        }
      }, timeoutMs);
    }
  });
}
