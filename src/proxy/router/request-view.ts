/**
 * The slice of a downstream request the router reads. node:http's IncomingMessage satisfies it, and
 * unit tests pass plain objects. Header names are lowercase, as node delivers them.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestView {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * A header's value as Envoy's matchers see it: pseudo headers (`:method`, `:authority`, `:path`,
 * `:scheme`) map to their HTTP/1.1 equivalents; repeated headers are joined with `,`.
 */
export function headerValue(req: RequestView, name: string): string | undefined {
  if (name.charCodeAt(0) === 58 /* ':' */) return pseudoHeader(req, name);
  const v = req.headers[name];
  if (v === undefined || typeof v === 'string') return v;
  return v.join(',');
}

/** An HTTP/2 pseudo-header of an HTTP/1.1-shaped request (`:method`, `:authority`, `:path`, `:scheme`), else undefined. */
export function pseudoHeader(req: RequestView, name: string): string | undefined {
  switch (name) {
    case ':method':
      return req.method;
    case ':authority':
      return req.headers.host;
    case ':path':
      return req.url;
    case ':scheme': {
      const p = req.headers['x-forwarded-proto'];
      return typeof p === 'string' ? p : 'http';
    }
    default:
      return undefined;
  }
}
