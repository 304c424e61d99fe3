/**
 * Hop-by-hop header handling, both directions (RFC 9110 §7.6.1, as fastify-reply-from and Envoy do):
 * `connection`, `keep-alive`, `proxy-connection`, `transfer-encoding`, `te`, `trailer`, `upgrade`
 * and every header named in `Connection` are connection-scoped and never forwarded. `expect` is not
 * forwarded either: node:http already answered `100-continue` and undici cannot send it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderObject } from '../router/header-mutation.js';

/** Lowercase names never forwarded upstream. */
const REQUEST_NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'http2-settings',
]);

/** Whether a header name (any case) is hop-by-hop. Only names of a hop-by-hop length are lowercased. */
export function isHopByHop(name: string): boolean {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te';
    case 7: {
      const l = name.toLowerCase();
      return l === 'trailer' || l === 'upgrade';
    }
    case 10: {
      const l = name.toLowerCase();
      return l === 'connection' || l === 'keep-alive';
    }
    case 16:
      return name.toLowerCase() === 'proxy-connection';
    case 17:
      return name.toLowerCase() === 'transfer-encoding';
    default:
      return false;
  }
}

/**
 * Header names listed in a Connection value, lowercase, other than the `close` / `keep-alive`
 * options; null when there are none (the common case).
 */
export function connectionTokens(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return null;
  let out: string[] | null = null;
  for (const t of lower.split(',')) {
    const name = t.trim();
    if (name === '' || name === 'close' || name === 'keep-alive') continue;
    (out ??= []).push(name);
  }
  return out;
}

/**
 * A copy of the downstream request headers without the hop-by-hop ones, for the upstream request.
 * `te` is kept when it asks for trailers (gRPC requires `te: trailers`; Envoy drops every other TE value).
 */
export function upstreamRequestHeaders(src: IncomingHttpHeaders): HeaderObject {
  const out: HeaderObject = {};
  for (const k in src) {
    if (REQUEST_NOT_FORWARDED.has(k)) {
      if (k === 'te' && teAsksForTrailers(src.te as string | undefined)) out.te = 'trailers';
      continue;
    }
    out[k] = src[k];
  }
  const named = connectionTokens(src.connection);
  if (named !== null) for (const n of named) delete out[n];
  return out;
}

function teAsksForTrailers(v: string | undefined): boolean {
  if (v === undefined) return false;
  if (v === 'trailers') return true;
  for (const t of v.split(',')) {
    const semi = t.indexOf(';');
    if ((semi === -1 ? t : t.slice(0, semi)).trim().toLowerCase() === 'trailers') return true;
  }
  return false;
}

/**
 * The upstream response's raw headers (undici's `Buffer[]` pairs) as a flat `[name, value, …]` list
 * for `res.writeHead`, without the hop-by-hop ones. Bytes are kept as latin1 both ways, as node does.
 */
export function downstreamResponseHeaders(raw: Buffer[]): string[] {
  const out: string[] = [];
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    if (isHopByHop(name)) {
      if (name.length === 10 && name.toLowerCase() === 'connection') connection = raw[i + 1]!.toString('latin1');
      continue;
    }
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  const named = connectionTokens(connection);
  if (named === null) return out;
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    if (!named.includes(out[i]!.toLowerCase())) kept.push(out[i]!, out[i + 1]!);
  }
  return kept;
}
