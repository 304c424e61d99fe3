/**
 * A route's `hash_policy` compiled for the request path: the key a RING_HASH or MAGLEV cluster hashes
 * a request on (Envoy's semantics):
 * - `header`: the header's value (pseudo headers `:authority`, `:path`, `:method` too); absent → none;
 * - `cookie`: the cookie's value (surrounding quotes dropped). When the cookie is absent and the policy
 *   has a `ttl`, a value is generated from the client connection's addresses, hashed on, and sent back
 *   as `Set-Cookie: <name>="<value>"; Max-Age=<ttl>; Path=<path>; HttpOnly` (no Max-Age for a zero
 *   ttl), so the client's next requests carry it and stay on the same host;
 * - `connection_properties.source_ip`: the client's IP address;
 * - `query_parameter`: the first value of the query parameter, as sent (not decoded);
 * - `filter_state`: never yields a key (this data plane keeps no filter state).
 * Policies are evaluated in order; each key found is mixed into the hash (the previous value rotated
 * left by one bit, XORed with the new one); a `terminal` policy that produced a hash stops the
 * evaluation. No key at all: the request has no hash (the balancer then picks at random).
 *
 * Only hashing balancers call `hash()`; it reads the headers in place and allocates nothing unless it
 * generates a cookie.
 */
import type { ServerResponse } from 'node:http';
import { durationToMs, type HashPolicy } from '../../xds/envoy-types.js';
import { hashLanes, hex64, highLane, to53 } from '../upstream/lb/hash.js';
import { headerValue, type RequestView } from './request-view.js';

/** What a hash policy reads from a request: its headers, URL and (for source IP and cookies) socket. */
export interface HashableRequest extends RequestView {
  socket?: { remoteAddress?: string | undefined; remotePort?: number | undefined; localAddress?: string | undefined; localPort?: number | undefined } | null;
}

const kGeneratedCookies = Symbol('gloo.lbCookies');

interface GeneratedCookie {
  name: string;
  value: string;
  /** The Set-Cookie header value. */
  header: string;
}

interface CookieCarrier {
  /** Cookies generated for this response (a retry reuses them). */
  [kGeneratedCookies]?: GeneratedCookie[];
}

const enum Kind {
  Header,
  Cookie,
  SourceIp,
  Query,
  FilterState,
}

interface Method {
  kind: Kind;
  terminal: boolean;
  /** Header name (lowercase), cookie name or query parameter name. */
  name: string;
  /** Cookie: generate when absent (ttl given), ttl in seconds, path. */
  generate: boolean;
  ttlSeconds: number;
  path: string;
}

/** Scratch lanes of the hash being accumulated (the request path is synchronous). */
let accHigh = 0;
let accLow = 0;
let accSet = false;

function mix(high: number, low: number): void {
  if (!accSet) {
    accHigh = high;
    accLow = low;
    accSet = true;
    return;
  }
  // Rotate the previous 64-bit value left by one so equal keys do not cancel out, then XOR.
  const h = ((accHigh << 1) | (accLow >>> 31)) >>> 0;
  const l = ((accLow << 1) | (accHigh >>> 31)) >>> 0;
  accHigh = (h ^ high) >>> 0;
  accLow = (l ^ low) >>> 0;
}

function mixRange(s: string, start: number, end: number): void {
  const low = hashLanes(s, start, end);
  mix(highLane(), low);
}

export class CompiledHashPolicy {
  private constructor(private readonly methods: readonly Method[]) {}

  /** Null when the list yields no usable policy. */
  static compile(list: readonly HashPolicy[] | undefined): CompiledHashPolicy | null {
    if (list === undefined || list.length === 0) return null;
    const methods: Method[] = [];
    for (const p of list) {
      const base = { terminal: p.terminal === true, name: '', generate: false, ttlSeconds: 0, path: '' };
      if (p.header !== undefined) methods.push({ ...base, kind: Kind.Header, name: p.header.header_name.toLowerCase() });
      else if (p.cookie !== undefined) {
        const ttlMs = durationToMs(p.cookie.ttl);
        methods.push({ ...base, kind: Kind.Cookie, name: p.cookie.name, generate: ttlMs !== undefined, ttlSeconds: Math.floor((ttlMs ?? 0) / 1000), path: p.cookie.path ?? '' });
      } else if (p.connection_properties?.source_ip === true) methods.push({ ...base, kind: Kind.SourceIp });
      else if (p.query_parameter !== undefined) methods.push({ ...base, kind: Kind.Query, name: p.query_parameter.name });
      else if (p.filter_state !== undefined) methods.push({ ...base, kind: Kind.FilterState, name: p.filter_state.key });
    }
    return methods.length === 0 ? null : new CompiledHashPolicy(methods);
  }

  /**
   * The request's hash (53 bits), or undefined when no policy found a key. `res` receives the
   * Set-Cookie of a generated cookie (none is generated without it).
   */
  hash(req: HashableRequest, res: ServerResponse | null): number | undefined {
    accSet = false;
    for (const m of this.methods) {
      switch (m.kind) {
        case Kind.Header: {
          const v = headerValue(req, m.name);
          if (v !== undefined) mixRange(v, 0, v.length);
          break;
        }
        case Kind.Cookie:
          this.cookie(m, req, res);
          break;
        case Kind.SourceIp: {
          const ip = req.socket?.remoteAddress;
          if (ip !== undefined && ip !== '') mixRange(ip, 0, ip.length);
          break;
        }
        case Kind.Query:
          query(m.name, req.url ?? '');
          break;
        case Kind.FilterState:
          break;
      }
      if (m.terminal && accSet) break;
    }
    return accSet ? to53(accHigh, accLow) : undefined;
  }

  private cookie(m: Method, req: HashableRequest, res: ServerResponse | null): void {
    const header = req.headers.cookie;
    if (header !== undefined && findCookie(header, m.name)) return;
    if (!m.generate || res === null) return;
    const carrier = res as unknown as CookieCarrier;
    let value = carrier[kGeneratedCookies]?.find((c) => c.name === m.name)?.value;
    if (value === undefined) {
      // Envoy's choice: the same client connection always gets the same value.
      const s = req.socket;
      const low = hashLanes(`${authority(s?.remoteAddress, s?.remotePort)}${authority(s?.localAddress, s?.localPort)}`);
      value = hex64(highLane(), low);
      let header = `${m.name}="${value}"`;
      if (m.ttlSeconds > 0) header += `; Max-Age=${m.ttlSeconds}`;
      if (m.path !== '') header += `; Path=${m.path}`;
      header += '; HttpOnly';
      (carrier[kGeneratedCookies] ??= []).push({ name: m.name, value, header });
    }
    mixRange(value, 0, value.length);
  }
}

function authority(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '';
  return address.includes(':') ? `[${address}]:${port ?? 0}` : `${address}:${port ?? 0}`;
}

/** Finds `name=value` in a Cookie header and mixes the value in (quotes dropped); false when absent. */
function findCookie(header: string, name: string): boolean {
  const n = header.length;
  let i = 0;
  while (i < n) {
    while (i < n && (header.charCodeAt(i) === 32 || header.charCodeAt(i) === 9)) i++;
    let end = header.indexOf(';', i);
    if (end === -1) end = n;
    const eq = header.indexOf('=', i);
    if (eq !== -1 && eq < end && eq - i === name.length && header.startsWith(name, i)) {
      let vs = eq + 1;
      let ve = end;
      while (ve > vs && (header.charCodeAt(ve - 1) === 32 || header.charCodeAt(ve - 1) === 9)) ve--;
      if (ve - vs >= 2 && header.charCodeAt(vs) === 34 && header.charCodeAt(ve - 1) === 34) {
        vs++;
        ve--;
      }
      mixRange(header, vs, ve);
      return true;
    }
    i = end + 1;
  }
  return false;
}

/** Mixes in the first value of query parameter `name` in `url` (raw, not decoded), if present. */
function query(name: string, url: string): void {
  let i = url.indexOf('?');
  if (i === -1) return;
  i++;
  const n = url.length;
  while (i < n) {
    let end = url.indexOf('&', i);
    if (end === -1) end = n;
    const eq = url.indexOf('=', i);
    const keyEnd = eq !== -1 && eq < end ? eq : end;
    if (keyEnd - i === name.length && url.startsWith(name, i)) {
      mixRange(url, keyEnd === end ? end : keyEnd + 1, end);
      return;
    }
    i = end + 1;
  }
}

/** Appends the Set-Cookie headers generated by hash policies for this response to `list`. */
export function appendGeneratedCookies(res: ServerResponse, list: string[]): void {
  const cookies = (res as unknown as CookieCarrier)[kGeneratedCookies];
  if (cookies !== undefined) for (const c of cookies) list.push('set-cookie', c.header);
}
