/**
 * HTTP/2 downstream requests (h2c, prior knowledge) through the same connection manager as HTTP/1.1.
 * node's compatibility API (`Http2ServerRequest` / `Http2ServerResponse`) has what the request path
 * uses (headers, url, method, socket.remoteAddress, complete, writeHead with a flat list, write, end,
 * addTrailers, 'drain', 'close'); this module only presents the request as HTTP/1.1 would:
 * - pseudo-headers are removed from `headers`, `:authority` becomes `host` when there is none;
 * - a request with a body and no content-length is marked `transfer-encoding: chunked` (never forwarded:
 *   hop-by-hop), so the router streams it as Envoy does when it sends an HTTP/2 request over HTTP/1.1.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

export function presentAsHttp1(req: Http2ServerRequest): void {
  const h = req.headers;
  const headers: IncomingHttpHeaders = {};
  for (const k in h) if (k.charCodeAt(0) !== 58 /* ':' */) headers[k] = h[k] as string | string[];
  const authority = h[':authority'];
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  if (headers['content-length'] === undefined && !req.stream.endAfterHeaders) headers['transfer-encoding'] = 'chunked';
  Object.defineProperties(req, {
    headers: { value: headers, writable: true, configurable: true },
    url: { value: h[':path'] ?? '/', writable: true, configurable: true },
    method: { value: h[':method'] ?? 'GET', writable: true, configurable: true },
  });
}
