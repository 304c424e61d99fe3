/**
 * HTTP/1.1 trailers through the proxy, both directions. Response side: undici hands the upstream's
 * trailer fields to the handler's `onComplete` as raw `[name, value, …]` (Buffers at run time, typed
 * as strings). Request side: see router/trailer-request.ts. node writes trailers after the last chunk
 * of a chunked message and drops them otherwise (a content-length or HTTP/1.0 message cannot carry them).
 */
import type { OutgoingMessage } from 'node:http';

function text(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

/**
 * Adds trailer fields to an outgoing message (an invalid field drops them all, never the message).
 * `raw` is undici's flat `[name, value, …]` list (HTTP/1.1 upstreams) or, from an HTTP/2 upstream
 * (gRPC's `grpc-status`…), node:http2's headers object; an empty one adds nothing.
 */
export function addTrailers(msg: OutgoingMessage, raw: readonly (Buffer | string)[] | Readonly<Record<string, unknown>>): void {
  if (!Array.isArray(raw)) {
    addTrailerObject(msg, raw as Readonly<Record<string, unknown>>);
    return;
  }
  if (raw.length === 0) return;
  // An object, not a list of pairs: HTTP/2 responses (compat API) only take an object.
  const fields: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = text(raw[i]!).toLowerCase();
    const value = text(raw[i + 1]!);
    const had = fields[name];
    fields[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  try {
    msg.addTrailers(fields);
  } catch {
    // invalid trailer field: dropped
  }
}

/** node:http2 trailers (`{name: value | value[]}`, pseudo-headers and symbols excluded). */
function addTrailerObject(msg: OutgoingMessage, obj: Readonly<Record<string, unknown>>): void {
  let fields: Record<string, string | string[]> | null = null;
  for (const name in obj) {
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    const v = obj[name];
    if (typeof v === 'string') (fields ??= {})[name] = v;
    else if (Array.isArray(v)) (fields ??= {})[name] = v.map(String);
    else if (v !== undefined && v !== null) (fields ??= {})[name] = String(v);
  }
  if (fields === null) return;
  try {
    msg.addTrailers(fields);
  } catch {
    // invalid trailer field: dropped
  }
}
