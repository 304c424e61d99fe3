/**
 * The headers the connection manager adds to every forwarded request: `x-forwarded-for` (the client
 * address appended, unless `skip_xff_append`), `x-forwarded-proto` (set when absent) and
 * `x-request-id` (a UUID v4 when absent, unless `generate_request_id` is false).
 */
import { randomUUID } from 'node:crypto';
import type { HeaderObject } from '../router/header-mutation.js';

export interface ForwardedHeaderOptions {
  /** `http` or `https`: the scheme the downstream connection uses. */
  scheme: string;
  appendXff: boolean;
  generateRequestId: boolean;
}

export function addForwardedHeaders(h: HeaderObject, remoteAddress: string | undefined, opts: ForwardedHeaderOptions): void {
  if (opts.appendXff && remoteAddress !== undefined) {
    const client = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
    const xff = h['x-forwarded-for'];
    if (xff === undefined) h['x-forwarded-for'] = client;
    else h['x-forwarded-for'] = (typeof xff === 'string' ? xff : xff.join(', ')) + ', ' + client;
  }
  if (h['x-forwarded-proto'] === undefined) h['x-forwarded-proto'] = opts.scheme;
  if (opts.generateRequestId && h['x-request-id'] === undefined) h['x-request-id'] = randomUUID();
}
