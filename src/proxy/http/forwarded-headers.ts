/**
 * The headers the connection manager edits on every request before routing (Envoy's
 * ConnectionManagerUtility::mutateRequestHeaders):
 * - `x-forwarded-for`: with `use_remote_address` the client address is appended (unless
 *   `skip_xff_append`). Unset `use_remote_address` behaves as true here (Gloo's gateway default and this
 *   data plane's behaviour so far) but adds no `x-envoy-*` header; explicit `false` is Envoy's: XFF is
 *   passed as is.
 * - the trusted client address: with `use_remote_address` the connection's address, or with
 *   `xff_num_trusted_hops` N the N-th address from the right of the (appended) XFF (the connection's
 *   address when XFF is too short); without it the
 *   (N+1)-th from the right of XFF (the connection's address when XFF is absent or too short).
 * - with `use_remote_address: true`: inbound `x-envoy-external-address` / `x-envoy-internal` are
 *   removed; an internal (loopback / private) trusted address gets `x-envoy-internal: true`, an external
 *   one `x-envoy-external-address: <address>`.
 * - `x-forwarded-proto` set when absent; `x-request-id` a UUID v4 when absent (unless
 *   `generate_request_id` is false), and replaced on an external request with `use_remote_address: true`
 *   unless `preserve_external_request_id`; `via` appended when configured.
 */
import { randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { HeaderObject } from '../router/header-mutation.js';

export interface ForwardedHeaderOptions {
  /** `http` or `https`: the scheme the downstream connection uses. */
  scheme: string;
  /** False with `skip_xff_append`. */
  appendXff: boolean;
  generateRequestId: boolean;
  /** undefined: not configured (appends, no x-envoy-* headers). */
  useRemoteAddress?: boolean | undefined;
  xffNumTrustedHops?: number | undefined;
  preserveExternalRequestId?: boolean | undefined;
  /** `via` value appended to request (and response) headers, or null. */
  via?: string | null | undefined;
}

function plainIp(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function joinValue(v: string | string[] | undefined): string | undefined {
  return v === undefined || typeof v === 'string' ? v : v.join(', ');
}

/** True for loopback and RFC 1918 / unique-local addresses (Envoy's internal request test). */
export function isInternalAddress(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const l = ip.toLowerCase();
  return l === '::1' || l.startsWith('fc') || l.startsWith('fd');
}

/** The address `hops` entries from the right of an XFF value, or undefined. */
function fromRight(xff: string | undefined, hops: number): string | undefined {
  if (xff === undefined) return undefined;
  const list = xff.split(',');
  const i = list.length - 1 - hops;
  if (i < 0) return undefined;
  const v = list[i]!.trim();
  return v === '' ? undefined : v;
}

/** Edits `h` in place; returns the trusted client address (undefined when unknown). */
export function addForwardedHeaders(h: HeaderObject, remoteAddress: string | undefined, opts: ForwardedHeaderOptions): string | undefined {
  const client = remoteAddress === undefined ? undefined : plainIp(remoteAddress);
  const hops = opts.xffNumTrustedHops ?? 0;
  const explicitRemote = opts.useRemoteAddress === true;
  let trusted: string | undefined;
  if (opts.useRemoteAddress !== false) {
    const inbound = joinValue(h['x-forwarded-for']);
    const appended = client === undefined ? inbound : inbound === undefined ? client : inbound + ', ' + client;
    if (opts.appendXff && appended !== undefined) h['x-forwarded-for'] = appended;
    trusted = hops === 0 ? client : (fromRight(appended, hops) ?? client);
  } else {
    trusted = h['x-forwarded-for'] === undefined ? client : fromRight(joinValue(h['x-forwarded-for']), hops);
  }
  let external = false;
  if (explicitRemote) {
    delete h['x-envoy-external-address'];
    delete h['x-envoy-internal'];
    if (trusted !== undefined) {
      if (isInternalAddress(trusted)) h['x-envoy-internal'] = 'true';
      else {
        external = true;
        h['x-envoy-external-address'] = trusted;
      }
    }
  }
  if (h['x-forwarded-proto'] === undefined) h['x-forwarded-proto'] = opts.scheme;
  if (opts.generateRequestId && (h['x-request-id'] === undefined || (external && opts.preserveExternalRequestId !== true))) {
    h['x-request-id'] = randomUUID();
  }
  if (opts.via) {
    const v = joinValue(h.via);
    h.via = v === undefined ? opts.via : `${v}, ${opts.via}`;
  }
  return trusted;
}
