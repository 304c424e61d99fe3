/**
 * Envoy's access-log format strings (substitution formatters), compiled once at config time into a
 * function. Text formats concatenate literals and operators; a missing value renders as `-`. JSON
 * formats (`json_format`, a Struct) render one object per line; a value that is exactly one operator
 * keeps its type (numbers stay numbers, a missing value is `null`), as Envoy does.
 *
 * Operators: START_TIME[(fmt)], REQ(X?Y)[:Z], RESP(X?Y)[:Z], TRAILER is not supported, PROTOCOL,
 * METHOD is REQ(:METHOD), RESPONSE_CODE, RESPONSE_FLAGS, BYTES_RECEIVED, BYTES_SENT, DURATION,
 * REQUEST_DURATION, RESPONSE_DURATION, RESPONSE_TX_DURATION, UPSTREAM_HOST, UPSTREAM_CLUSTER,
 * DOWNSTREAM_REMOTE_ADDRESS, DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT, DOWNSTREAM_DIRECT_REMOTE_ADDRESS(_WITHOUT_PORT),
 * DOWNSTREAM_LOCAL_ADDRESS(_WITHOUT_PORT), ROUTE_NAME, HOSTNAME, REQUESTED_SERVER_NAME (the SNI of a TLS
 * connection, else `-`), UPSTREAM_TRANSPORT_FAILURE_REASON (`-`), DYNAMIC_METADATA(NAMESPACE:KEY*). TCP proxy connections (src/proxy/tcp) log
 * through the same formatters with an empty request: HTTP-only operators render `-`, RESPONSE_CODE 0. An unknown operator is reported through `onUnknown` at
 * compile time and renders as `-`.
 *
 * Example: `compileTextFormat('%REQ(:METHOD)% %RESPONSE_CODE%\n')(ctx)` → `GET 200\n`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { Struct, StructValue } from '../../xds/envoy-types.js';
import { responseFlagsString, type StreamInfo } from '../http/stream-info.js';

export interface LogContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: StreamInfo;
}

type Value = string | number | null;
type Operator = (c: LogContext) => Value;

export const DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
  '%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" ' +
  '"%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';

export type TextFormatter = (c: LogContext) => string;

const TOKEN = /%([A-Z_0-9]+)(?:\(([^)]*)\))?(?::(\d+))?%/g;

/** Compiles a text format; `onUnknown` is called once per unknown operator. */
export function compileTextFormat(format: string, onUnknown: (op: string) => void = () => {}): TextFormatter {
  const parts: (string | Operator)[] = [];
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    if (m.index! > last) parts.push(format.slice(last, m.index));
    parts.push(compileOperator(m[1]!, m[2], m[3] === undefined ? undefined : Number(m[3]), onUnknown));
    last = m.index! + m[0].length;
  }
  if (last < format.length) parts.push(format.slice(last));
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const s = parts[0];
    return () => s;
  }
  return (c) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (typeof p === 'string') out += p;
      else {
        const v = p(c);
        out += v === null || v === '' ? '-' : v;
      }
    }
    return out;
  };
}

/** Compiles a `json_format` Struct (protobufjs' `{fields}` form, or plain JSON) into a line formatter. */
export function compileJsonFormat(format: Struct | Record<string, unknown>, onUnknown: (op: string) => void = () => {}): TextFormatter {
  const render = compileJsonObject(format, onUnknown);
  return (c) => JSON.stringify(render(c)) + '\n';
}

function compileJsonObject(format: Struct | Record<string, unknown>, onUnknown: (op: string) => void): (c: LogContext) => Record<string, unknown> {
  const fields = isStruct(format) ? (format.fields as Record<string, StructValue>) : null;
  const entries: [string, (c: LogContext) => unknown][] = [];
  const src = fields ?? (format as Record<string, unknown>);
  for (const key of Object.keys(src)) {
    const raw = fields !== null ? fromStructValue(fields[key]!) : src[key];
    entries.push([key, compileJsonValue(raw, onUnknown)]);
  }
  return (c) => {
    const o: Record<string, unknown> = {};
    for (const [k, f] of entries) o[k] = f(c);
    return o;
  };
}

function compileJsonValue(raw: unknown, onUnknown: (op: string) => void): (c: LogContext) => unknown {
  if (typeof raw === 'string') {
    const single = /^%([A-Z_0-9]+)(?:\(([^)]*)\))?(?::(\d+))?%$/.exec(raw);
    if (single !== null) {
      const op = compileOperator(single[1]!, single[2], single[3] === undefined ? undefined : Number(single[3]), onUnknown);
      return (c) => {
        const v = op(c);
        return v === '' ? null : v;
      };
    }
    return compileTextFormat(raw, onUnknown);
  }
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return compileJsonObject(raw as Record<string, unknown>, onUnknown);
  return () => raw;
}

function isStruct(v: unknown): v is Struct {
  if (v === null || typeof v !== 'object') return false;
  const f = (v as { fields?: unknown }).fields;
  return Object.keys(v).length === 1 && f !== null && typeof f === 'object';
}

function fromStructValue(v: StructValue): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  if ('nullValue' in v) return null;
  if ('structValue' in v) return v.structValue;
  if ('listValue' in v) return (v.listValue.values ?? []).map(fromStructValue);
  return null;
}

// ---- operators ----------------------------------------------------------------------------------

const HOSTNAME = hostname();

function truncate(op: Operator, max: number | undefined): Operator {
  if (max === undefined) return op;
  return (c) => {
    const v = op(c);
    return typeof v === 'string' && v.length > max ? v.slice(0, max) : v;
  };
}

function ms(from: number, to: number): number | null {
  return from < 0 || to < 0 ? null : Math.round(to - from);
}

function compileOperator(name: string, arg: string | undefined, max: number | undefined, onUnknown: (op: string) => void): Operator {
  switch (name) {
    case 'START_TIME':
      return startTime(arg);
    case 'REQ':
      return truncate(headerOp(arg ?? '', requestHeader), max);
    case 'RESP':
      return truncate(headerOp(arg ?? '', responseHeader), max);
    case 'PROTOCOL':
      // A TCP proxy connection has no HTTP version: `-`, as in Envoy.
      return (c) => (c.req.httpVersion === undefined ? null : `HTTP/${c.req.httpVersion}`);
    case 'RESPONSE_CODE':
      return (c) => (c.res.headersSent ? c.res.statusCode : 0);
    case 'RESPONSE_CODE_DETAILS':
      return () => null;
    case 'RESPONSE_FLAGS':
      return (c) => responseFlagsString(c.info.responseFlags);
    case 'BYTES_RECEIVED':
      return (c) => c.info.bytesReceived;
    case 'BYTES_SENT':
      return (c) => c.info.bytesSent;
    case 'DURATION':
      return (c) => ms(c.info.startHr, c.info.endHr);
    case 'REQUEST_DURATION':
      return (c) => ms(c.info.startHr, c.info.requestEndHr);
    case 'RESPONSE_DURATION':
      return (c) => ms(c.info.startHr, c.info.responseStartHr);
    case 'RESPONSE_TX_DURATION':
      return (c) => ms(c.info.responseStartHr, c.info.endHr);
    case 'UPSTREAM_HOST':
      return (c) => c.info.upstreamHost;
    case 'UPSTREAM_CLUSTER':
      return (c) => c.info.upstreamCluster;
    case 'ROUTE_NAME':
      return (c) => c.info.routeName;
    case 'HOSTNAME':
      return () => HOSTNAME;
    case 'DOWNSTREAM_REMOTE_ADDRESS':
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS':
      return (c) => withPort(c.req.socket.remoteAddress, c.req.socket.remotePort);
    case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
    case 'DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT':
      return (c) => plainIp(c.req.socket.remoteAddress);
    case 'DOWNSTREAM_LOCAL_ADDRESS':
      return (c) => withPort(c.req.socket.localAddress, c.req.socket.localPort);
    case 'DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT':
      return (c) => plainIp(c.req.socket.localAddress);
    case 'REQUESTED_SERVER_NAME':
      return requestedServerName;
    case 'UPSTREAM_TRANSPORT_FAILURE_REASON':
      return (c) => c.info.upstreamTransportFailureReason ?? null;
    case 'UPSTREAM_LOCAL_ADDRESS':
      return () => null;
    case 'DYNAMIC_METADATA':
      return truncate(dynamicMetadataOp(arg ?? ''), max);
    default:
      onUnknown(name);
      return () => null;
  }
}

/**
 * `%DYNAMIC_METADATA(NAMESPACE:KEY*)%`: a value of the stream's dynamic metadata (set by filters, e.g.
 * the transformation filter's `dynamicMetadataValues`) at a `:`-separated path; without a key the
 * whole namespace. Strings as they are, numbers as numbers, anything else as JSON.
 */
function dynamicMetadataOp(arg: string): Operator {
  const [ns = '', ...path] = arg.split(':');
  return (c) => {
    const struct = c.info.dynamicMetadata?.[ns];
    if (struct === undefined) return null;
    let v: StructValue | undefined = { structValue: struct };
    for (const k of path) {
      v = v !== undefined && 'structValue' in v ? v.structValue.fields?.[k] : undefined;
      if (v === undefined) return null;
    }
    if ('stringValue' in v) return v.stringValue;
    if ('numberValue' in v) return v.numberValue;
    if ('nullValue' in v) return null;
    return JSON.stringify(plainValue(v));
  };
}

function plainValue(v: StructValue): unknown {
  if ('structValue' in v) return Object.fromEntries(Object.entries(v.structValue.fields ?? {}).map(([k, x]) => [k, plainValue(x)]));
  if ('listValue' in v) return (v.listValue.values ?? []).map(plainValue);
  return fromStructValue(v);
}

/** The SNI of a TLS connection: `servername` of a terminated TLS socket (or of a TCP proxy connection's view). */
function requestedServerName(c: LogContext): string | null {
  let name: unknown;
  try {
    name = (c.req.socket as { servername?: unknown } | null)?.servername;
  } catch {
    return null; // an HTTP/2 request's socket proxy throws once its session is gone
  }
  return typeof name === 'string' && name !== '' ? name : null;
}

function plainIp(a: string | undefined): string | null {
  if (a === undefined) return null;
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function withPort(a: string | undefined, port: number | undefined): string | null {
  const ip = plainIp(a);
  if (ip === null) return null;
  return ip.includes(':') ? `[${ip}]:${port ?? 0}` : `${ip}:${port ?? 0}`;
}

type HeaderGetter = (c: LogContext, name: string) => string | null;

function headerOp(arg: string, get: HeaderGetter): Operator {
  const q = arg.indexOf('?');
  const main = (q === -1 ? arg : arg.slice(0, q)).toLowerCase();
  const alt = q === -1 ? null : arg.slice(q + 1).toLowerCase();
  if (alt === null) return (c) => get(c, main);
  return (c) => get(c, main) ?? get(c, alt);
}

function requestHeader(c: LogContext, name: string): string | null {
  const req = c.req;
  switch (name) {
    case ':method':
      return req.method ?? null;
    case ':path':
      return req.url ?? null;
    case ':authority':
      return req.headers.host ?? null;
    case ':scheme': {
      const p = req.headers['x-forwarded-proto'];
      return typeof p === 'string' ? p : 'http';
    }
  }
  const v = req.headers[name];
  if (v === undefined) return null;
  return typeof v === 'string' ? v : v.join(',');
}

function responseHeader(c: LogContext, name: string): string | null {
  if (name === ':status') return c.res.headersSent ? String(c.res.statusCode) : null;
  const list = c.info.responseHeaders;
  if (list === null) return null;
  for (let i = 0; i < list.length; i += 2) if (list[i]!.length === name.length && list[i]!.toLowerCase() === name) return list[i + 1]!;
  return null;
}

// ---- START_TIME ----------------------------------------------------------------------------------

function startTime(fmt: string | undefined): Operator {
  if (fmt === undefined || fmt === '') {
    // Requests of the same millisecond share one rendering (a busy proxy logs many per ms).
    let lastMs = -1;
    let lastIso = '';
    return (c) => {
      const ms = c.info.startTime;
      if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString();
      }
      return lastIso;
    };
  }
  const f = compileStrftime(fmt);
  return (c) => f(new Date(c.info.startTime));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A strftime subset (UTC): %Y %m %d %H %M %S %y %j %s %z %Z %e %T %F %%, and Envoy's %E3S..%E9S / %3f..%9f. */
export function compileStrftime(fmt: string): (d: Date) => string {
  const parts: (string | ((d: Date) => string))[] = [];
  const re = /%(E?\d?)([a-zA-Z%])/g;
  let last = 0;
  for (const m of fmt.matchAll(re)) {
    if (m.index! > last) parts.push(fmt.slice(last, m.index));
    last = m.index! + m[0].length;
    const mod = m[1]!;
    const digits = mod.replace('E', '');
    const frac = (d: Date, n: number): string => (String(d.getUTCMilliseconds()).padStart(3, '0') + '000000').slice(0, n);
    switch (m[2]) {
      case 'Y': parts.push((d) => String(d.getUTCFullYear())); break;
      case 'y': parts.push((d) => pad(d.getUTCFullYear() % 100)); break;
      case 'm': parts.push((d) => pad(d.getUTCMonth() + 1)); break;
      case 'd': parts.push((d) => pad(d.getUTCDate())); break;
      case 'e': parts.push((d) => String(d.getUTCDate()).padStart(2, ' ')); break;
      case 'H': parts.push((d) => pad(d.getUTCHours())); break;
      case 'M': parts.push((d) => pad(d.getUTCMinutes())); break;
      case 'S': {
        const n = digits === '' ? 0 : Number(digits);
        parts.push((d) => (n > 0 ? `${pad(d.getUTCSeconds())}.${frac(d, n)}` : pad(d.getUTCSeconds())));
        break;
      }
      case 'f': {
        const n = digits === '' ? 9 : Number(digits);
        parts.push((d) => frac(d, n));
        break;
      }
      case 's': parts.push((d) => String(Math.floor(d.getTime() / 1000))); break;
      case 'j': parts.push((d) => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3)); break;
      case 'z': parts.push(() => '+0000'); break;
      case 'Z': parts.push(() => 'UTC'); break;
      case 'T': parts.push((d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`); break;
      case 'F': parts.push((d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`); break;
      case '%': parts.push('%'); break;
      default: parts.push(m[0]);
    }
  }
  if (last < fmt.length) parts.push(fmt.slice(last));
  return (d) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    return out;
  };
}
