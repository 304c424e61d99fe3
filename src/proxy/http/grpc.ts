/**
 * gRPC facts the data plane needs in several places (local replies, retries, timeouts, gRPC-Web), with
 * Envoy's definitions (`source/common/grpc/common.cc`, `status.cc`):
 * - a request or response is gRPC when its content-type is exactly `application/grpc` or starts with
 *   `application/grpc+` (so `application/grpc-web…` is not);
 * - HTTP statuses map to gRPC codes as gRPC's http-grpc-status-mapping says (404 → UNIMPLEMENTED,
 *   429/502/503/504 → UNAVAILABLE…), which is what a local reply to a gRPC request carries;
 * - `grpc-timeout` is at most 8 digits and a unit (H M S m u n); sub-millisecond values round up;
 * - `grpc-message` is percent-encoded (bytes outside 0x20–0x7E, and `%`).
 */

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const GRPC = 'application/grpc';

/** `application/grpc` or `application/grpc+<subtype>` (Envoy's `hasGrpcContentType`). */
export function isGrpcContentType(ct: string | string[] | undefined): boolean {
  if (typeof ct !== 'string' || !ct.startsWith(GRPC)) return false;
  return ct.length === GRPC.length || ct.charCodeAt(GRPC.length) === 43 /* '+' */;
}

/** The gRPC status an intermediary reports for an HTTP status (Envoy's `httpToGrpcStatus`). */
export function httpToGrpcStatus(status: number): number {
  switch (status) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/**
 * A `grpc-timeout` value in milliseconds, or null when absent or malformed (Envoy's
 * `getGrpcTimeout`: 1–8 digits and one unit; micro- and nanoseconds round up to whole milliseconds).
 */
export function parseGrpcTimeout(v: string | string[] | undefined): number | null {
  if (typeof v !== 'string' || v.length < 2 || v.length > 9) return null;
  let n = 0;
  for (let i = 0; i < v.length - 1; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  switch (v.charCodeAt(v.length - 1)) {
    case 72 /* H */:
      return n * 3_600_000;
    case 77 /* M */:
      return n * 60_000;
    case 83 /* S */:
      return n * 1000;
    case 109 /* m */:
      return n;
    case 117 /* u */:
      return Math.ceil(n / 1000);
    case 110 /* n */:
      return Math.ceil(n / 1_000_000);
    default:
      return null;
  }
}

const MAX_GRPC_TIMEOUT_VALUE = 99_999_999;

/** Milliseconds as a `grpc-timeout` value: milliseconds, or the smallest larger unit that fits in 8 digits. */
export function formatGrpcTimeout(ms: number): string {
  let t = Math.max(0, Math.floor(ms));
  if (t <= MAX_GRPC_TIMEOUT_VALUE) return `${t}m`;
  t = Math.floor(t / 1000);
  if (t <= MAX_GRPC_TIMEOUT_VALUE) return `${t}S`;
  t = Math.floor(t / 60);
  if (t <= MAX_GRPC_TIMEOUT_VALUE) return `${t}M`;
  return `${Math.min(Math.floor(t / 60), MAX_GRPC_TIMEOUT_VALUE)}H`;
}

const HEX = '0123456789ABCDEF';

/** Percent-encodes a `grpc-message` (its UTF-8 bytes outside 0x20–0x7E, and `%`). */
export function percentEncodeGrpcMessage(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b < 0x20 || b > 0x7e || b === 0x25) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * The `grpc-status` of a response header list (undici's raw `[name, value, …]`, Buffers or strings),
 * or -1 when there is none or it is not a number.
 */
export function grpcStatusOfRaw(raw: readonly (Buffer | string)[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length !== 11) continue;
    const name = typeof k === 'string' ? k : k.toString('latin1');
    if (name.toLowerCase() !== 'grpc-status') continue;
    const v = raw[i + 1]!;
    const s = typeof v === 'string' ? v : v.toString('latin1');
    const n = Number(s);
    return s !== '' && Number.isInteger(n) && n >= 0 ? n : -1;
  }
  return -1;
}

/** The first value of `name` (lowercase) in a flat `[name, value, …]` list (names compared case-insensitively). */
export function headerOf(list: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < list.length; i += 2) {
    const k = list[i]!;
    if (k.length === name.length && k.toLowerCase() === name) return list[i + 1];
  }
  return undefined;
}

/** Sets `name` (lowercase) in a flat list: replaces every existing value with one, or appends it. */
export function setHeader(list: string[], name: string, value: string): void {
  let set = false;
  for (let i = 0; i + 1 < list.length; ) {
    const k = list[i]!;
    if (k.length === name.length && k.toLowerCase() === name) {
      if (!set) {
        list[i + 1] = value;
        set = true;
        i += 2;
      } else {
        list.splice(i, 2);
      }
    } else i += 2;
  }
  if (!set) list.push(name, value);
}

/** Removes every `name` (lowercase) from a flat list. */
export function removeHeader(list: string[], name: string): void {
  for (let i = 0; i + 1 < list.length; ) {
    const k = list[i]!;
    if (k.length === name.length && k.toLowerCase() === name) list.splice(i, 2);
    else i += 2;
  }
}
