/**
 * Envoy's `%VAR%` substitution for header values (`request_headers_to_add`, `response_headers_to_add`),
 * compiled when the config arrives: a value without `%` stays a plain string (no per-request work);
 * a value with commands becomes a list of parts rendered per request.
 *
 * Supported: `%DOWNSTREAM_REMOTE_ADDRESS%`, `%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%`,
 * `%DOWNSTREAM_LOCAL_ADDRESS%`, `%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%`, `%PROTOCOL%`,
 * `%REQ(name)%` (optionally `%REQ(name):N%` truncation, `%REQ(a?b)%` fallback), `%UPSTREAM_REMOTE_ADDRESS%`
 * (response side), `%START_TIME%`, `%HOSTNAME%`, and `%%` for a literal `%`. An unknown command throws
 * (Envoy rejects the config too), so the route is skipped with a warning.
 *
 * Example: `compileFormat('%REQ(x-user)%@%HOSTNAME%')` → a CompiledFormat; `render(fmt, ctx)`.
 */
import { hostname } from 'node:os';
import type { IncomingHttpHeaders } from 'node:http';

/** What a formatter may read. Every field is optional: a missing one renders as empty. */
export interface FormatContext {
  headers?: IncomingHttpHeaders | undefined;
  method?: string | undefined;
  url?: string | undefined;
  httpVersion?: string | undefined;
  socket?: { remoteAddress?: string | undefined; remotePort?: number | undefined; localAddress?: string | undefined; localPort?: number | undefined } | undefined;
  /** `address:port` of the upstream host that answered (response side). */
  upstreamAddress?: string | undefined;
  /** ms since epoch; `Date.now()` when absent. */
  startTime?: number | undefined;
}

type Part = string | ((ctx: FormatContext) => string);

/** A value with at least one command. */
export class CompiledFormat {
  constructor(readonly parts: readonly Part[]) {}

  render(ctx: FormatContext): string {
    let out = '';
    for (const p of this.parts) out += typeof p === 'string' ? p : p(ctx);
    return out;
  }
}

const HOSTNAME = hostname();

function joinHostPort(address: string | undefined, port: number | undefined): string {
  if (address === undefined || address === '') return '';
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  const host = a.includes(':') ? `[${a}]` : a;
  return port === undefined ? host : `${host}:${port}`;
}

function stripMapped(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function protocolOf(ctx: FormatContext): string {
  const v = ctx.httpVersion;
  if (v === undefined) return '';
  if (v === '2.0') return 'HTTP/2';
  return `HTTP/${v}`;
}

function headerGetter(spec: string, maxLen: number | undefined): (ctx: FormatContext) => string {
  const names = spec.split('?').map((n) => n.trim().toLowerCase());
  const pick = (ctx: FormatContext, name: string): string | undefined => {
    switch (name) {
      case ':authority':
        return ctx.headers?.host;
      case ':path':
        return ctx.url;
      case ':method':
        return ctx.method;
      default: {
        const v = ctx.headers?.[name];
        return v === undefined ? undefined : typeof v === 'string' ? v : v.join(',');
      }
    }
  };
  return (ctx) => {
    for (const n of names) {
      const v = pick(ctx, n);
      if (v !== undefined) return maxLen !== undefined ? v.slice(0, maxLen) : v;
    }
    return '';
  };
}

const SIMPLE: Record<string, (ctx: FormatContext) => string> = {
  DOWNSTREAM_REMOTE_ADDRESS: (c) => joinHostPort(c.socket?.remoteAddress, c.socket?.remotePort),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (c) => stripMapped(c.socket?.remoteAddress),
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: (c) => joinHostPort(c.socket?.remoteAddress, c.socket?.remotePort),
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: (c) => stripMapped(c.socket?.remoteAddress),
  DOWNSTREAM_LOCAL_ADDRESS: (c) => joinHostPort(c.socket?.localAddress, c.socket?.localPort),
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: (c) => stripMapped(c.socket?.localAddress),
  PROTOCOL: protocolOf,
  UPSTREAM_REMOTE_ADDRESS: (c) => c.upstreamAddress ?? '',
  START_TIME: (c) => new Date(c.startTime ?? Date.now()).toISOString(),
};

/** Compiles a header value: the same string when it has no command, else a CompiledFormat. Throws on an unknown command. */
export function compileFormat(value: string): string | CompiledFormat {
  if (!value.includes('%')) return value;
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    if (value[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const end = findCommandEnd(value, i + 1);
    if (end === -1) throw new Error(`header value ${JSON.stringify(value)}: unterminated %command%`);
    const cmd = value.slice(i + 1, end);
    i = end + 1;
    if (cmd === 'HOSTNAME') {
      lit += HOSTNAME; // constant for the process: folded into the literal
      continue;
    }
    if (lit !== '') {
      parts.push(lit);
      lit = '';
    }
    parts.push(compileCommand(cmd, value));
  }
  if (lit !== '') parts.push(lit);
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return new CompiledFormat(parts);
}

/** Index of the `%` closing a command starting at `from`; parentheses may contain anything but `)`. */
function findCommandEnd(value: string, from: number): number {
  let depth = 0;
  for (let j = from; j < value.length; j++) {
    const ch = value[j];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === '%' && depth === 0) return j;
  }
  return -1;
}

function compileCommand(cmd: string, whole: string): (ctx: FormatContext) => string {
  const simple = SIMPLE[cmd];
  if (simple !== undefined) return simple;
  if (cmd.startsWith('START_TIME(') && cmd.endsWith(')')) return SIMPLE['START_TIME']!;
  const m = /^REQ\(([^)]*)\)(?::(\d+))?$/.exec(cmd);
  if (m !== null && m[1]!.trim() !== '') return headerGetter(m[1]!, m[2] === undefined ? undefined : Number(m[2]));
  throw new Error(`header value ${JSON.stringify(whole)}: unsupported formatter %${cmd}%`);
}
