/**
 * The header maps a transformation reads and edits, as Envoy's header maps behave for envoy-gloo:
 * names are lowercase, pseudo-headers are headers (`:path`, `:method`, `:authority`, `:scheme` on
 * requests, `:status` on responses), `get` gives the first value of a repeated header.
 *
 * - RequestHeaders wraps node's request: `:path` is `req.url`, `:method` `req.method`, `:authority`
 *   the `host` header (Envoy has no `host` header: HTTP/1's Host is `:authority`). node joins repeated
 *   headers with `, ` (cookies with `; `); the first value is then read from `rawHeaders` when the
 *   joined value is still node's own.
 * - ResponseHeaders wraps a response's status and `[name, value, …]` list (names in any case).
 */
import type { IncomingMessage } from 'node:http';
import { pseudoHeader } from '../../router/request-view.js';

export interface HeaderAccess {
  /** The first value of a header (lowercase name), pseudo-headers included; undefined when absent. */
  get(name: string): string | undefined;
  /** Removes every value of `name` and sets one value. */
  set(name: string, value: string): void;
  /** Adds a value, keeping the existing ones. */
  append(name: string, value: string): void;
  /** Removes every value of `name`. */
  remove(name: string): void;
  /** Every header with all its values, pseudo-headers first (envoy-gloo's headerBodyTransform). */
  all(): [string, string[]][];
}

/** What a request transformation changed that the router must know about. */
export const enum RequestChange {
  None = 0,
  Path = 1,
  Authority = 2,
  Method = 4,
}

export class RequestHeaders implements HeaderAccess {
  changes = RequestChange.None;

  constructor(readonly req: IncomingMessage) {}

  get(name: string): string | undefined {
    const req = this.req;
    if (name.charCodeAt(0) === 58 /* ':' */) return pseudoHeader(req, name);
    const v = req.headers[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return v[0];
    return mayBeJoined(name, v) ? firstRawValue(req, name, v) : v;
  }

  set(name: string, value: string): void {
    const req = this.req;
    switch (name) {
      case ':path':
        req.url = value;
        this.changes |= RequestChange.Path;
        return;
      case ':method':
        req.method = value;
        this.changes |= RequestChange.Method;
        return;
      case ':authority':
      case 'host':
        req.headers.host = value;
        this.changes |= RequestChange.Authority;
        return;
    }
    if (name.charCodeAt(0) === 58) return; // other pseudo-headers cannot be set on a request
    req.headers[name] = value;
  }

  append(name: string, value: string): void {
    if (name.charCodeAt(0) === 58 || name === 'host') {
      if (this.get(name) === undefined) this.set(name, value);
      return;
    }
    const h = this.req.headers;
    const cur = h[name];
    if (cur === undefined) h[name] = value;
    else if (typeof cur === 'string') h[name] = [cur, value];
    else cur.push(value);
  }

  remove(name: string): void {
    if (name.charCodeAt(0) === 58 || name === 'host') return; // a request keeps its pseudo-headers
    delete this.req.headers[name];
  }

  all(): [string, string[]][] {
    const out: [string, string[]][] = [];
    for (const p of [':authority', ':path', ':method', ':scheme']) {
      const v = this.get(p);
      if (v !== undefined) out.push([p, [v]]);
    }
    const h = this.req.headers;
    for (const k in h) {
      if (k === 'host') continue;
      const v = h[k];
      if (v === undefined) continue;
      out.push([k, typeof v === 'string' ? rawValues(this.req, k, v) : [...v]]);
    }
    return out;
  }
}

/** Whether node may have joined several values into `value`. */
function mayBeJoined(name: string, value: string): boolean {
  return value.indexOf(',') !== -1 || (name === 'cookie' && value.indexOf(';') !== -1);
}

/** How node joined repeated values of a header. */
function joined(name: string, values: string[]): string {
  return values.join(name === 'cookie' ? '; ' : ', ');
}

/** The raw values of `name`, in order (lowercase name). */
function rawOf(req: IncomingMessage, name: string): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === name.length && k.toLowerCase() === name) out.push(raw[i + 1]!);
  }
  return out;
}

/** The first value of a header node may have joined: the first raw value while node's join is unchanged. */
function firstRawValue(req: IncomingMessage, name: string, value: string): string {
  const raw = rawOf(req, name);
  return raw.length > 1 && joined(name, raw) === value ? raw[0]! : value;
}

function rawValues(req: IncomingMessage, name: string, value: string): string[] {
  if (!mayBeJoined(name, value)) return [value];
  const raw = rawOf(req, name);
  return raw.length > 1 && joined(name, raw) === value ? raw : [value];
}

/** A response's status and header list, edited in place. */
export class ResponseHeaders implements HeaderAccess {
  constructor(
    public status: number,
    public list: string[],
    /** Whether `:status` may be changed (false for headers seen after the status was fixed). */
    private readonly statusWritable: boolean,
  ) {}

  get(name: string): string | undefined {
    if (name === ':status') return String(this.status);
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) {
      const k = l[i]!;
      if (k.length === name.length && (k === name || k.toLowerCase() === name)) return l[i + 1];
    }
    return undefined;
  }

  set(name: string, value: string): void {
    if (name.charCodeAt(0) === 58) {
      if (name === ':status' && this.statusWritable) {
        const n = Number(value);
        if (Number.isInteger(n) && n >= 100 && n <= 999) this.status = n;
      }
      return;
    }
    this.remove(name);
    this.list.push(name, value);
  }

  append(name: string, value: string): void {
    if (name.charCodeAt(0) === 58) {
      if (this.get(name) === undefined) this.set(name, value);
      return;
    }
    this.list.push(name, value);
  }

  remove(name: string): void {
    if (name.charCodeAt(0) === 58) return;
    const l = this.list;
    let w = 0;
    for (let i = 0; i < l.length; i += 2) {
      const k = l[i]!;
      if (k.length === name.length && (k === name || k.toLowerCase() === name)) continue;
      l[w++] = k;
      l[w++] = l[i + 1]!;
    }
    l.length = w;
  }

  all(): [string, string[]][] {
    const out: [string, string[]][] = [[':status', [String(this.status)]]];
    const byName = new Map<string, string[]>();
    const l = this.list;
    for (let i = 0; i < l.length; i += 2) {
      const k = l[i]!.toLowerCase();
      const cur = byName.get(k);
      if (cur === undefined) byName.set(k, [l[i + 1]!]);
      else cur.push(l[i + 1]!);
    }
    for (const e of byName) out.push(e);
    return out;
  }
}
