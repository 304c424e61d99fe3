/**
 * What the downstream and upstream TLS contexts share: reading Envoy `DataSource`s (inline string,
 * base64 inline bytes, a file, an environment variable), Envoy's TLS version names mapped to node's,
 * and subject-alt-name verification (`match_typed_subject_alt_names` / `match_subject_alt_names`)
 * against a peer certificate as node's `getPeerCertificate()` reports it.
 *
 * Example:
 *   const sans = SanVerifier.compile(ctx.validation_context);
 *   sans?.verify(socket.getPeerCertificate())  // null when it matches, else the reason
 */
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import type { DataSource, StringMatcher } from '../../xds/envoy-types.js';
import { CompiledStringMatcher } from '../router/string-matcher.js';

/**
 * The bytes of a DataSource; throws naming `what` when it is empty or unreadable. A file it reads is
 * added to `files` when given (the data plane watches them: certificate rotation).
 */
export function readDataSource(ds: DataSource | undefined, what: string, files?: string[]): Buffer {
  const d = ds as (DataSource & { environment_variable?: string }) | undefined;
  if (d?.inline_string !== undefined && d.inline_string !== '') return Buffer.from(d.inline_string);
  if (d?.inline_bytes !== undefined && d.inline_bytes !== '') return Buffer.from(d.inline_bytes, 'base64');
  if (d?.filename !== undefined && d.filename !== '') {
    files?.push(d.filename);
    try {
      return readFileSync(d.filename);
    } catch (err) {
      throw new Error(`${what}: cannot read ${d.filename}: ${(err as Error).message}`);
    }
  }
  if (d?.environment_variable !== undefined && d.environment_variable !== '') {
    const v = process.env[d.environment_variable];
    if (v === undefined || v === '') throw new Error(`${what}: environment variable ${d.environment_variable} is not set`);
    return Buffer.from(v);
  }
  throw new Error(`${what} is empty`);
}

export type NodeTlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Envoy's `TlsParameters.TlsProtocol` as node's version name; undefined for TLS_AUTO / unset. */
export function nodeTlsVersion(v: string | number | undefined): NodeTlsVersion | undefined {
  switch (v) {
    case 'TLSv1_0':
    case 1:
      return 'TLSv1';
    case 'TLSv1_1':
    case 2:
      return 'TLSv1.1';
    case 'TLSv1_2':
    case 3:
      return 'TLSv1.2';
    case 'TLSv1_3':
    case 4:
      return 'TLSv1.3';
    default:
      return undefined;
  }
}

/** `CommonTlsContext.tls_params`, as far as node can apply it. */
export interface TlsParams {
  tls_minimum_protocol_version?: string | number;
  tls_maximum_protocol_version?: string | number;
  cipher_suites?: string[];
  ecdh_curves?: string[];
}

/** node `SecureContextOptions` for tls_params: versions, TLS ≤1.2 ciphers and TLS 1.3 suites, curves. */
export function tlsParamsOptions(p: TlsParams | undefined, defaultMin: NodeTlsVersion): {
  minVersion: NodeTlsVersion;
  maxVersion: NodeTlsVersion;
  ciphers?: string;
  ecdhCurve?: string;
} {
  const out: { minVersion: NodeTlsVersion; maxVersion: NodeTlsVersion; ciphers?: string; ecdhCurve?: string } = {
    minVersion: nodeTlsVersion(p?.tls_minimum_protocol_version) ?? defaultMin,
    maxVersion: nodeTlsVersion(p?.tls_maximum_protocol_version) ?? 'TLSv1.3',
  };
  if (p?.cipher_suites !== undefined && p.cipher_suites.length > 0) {
    // Envoy lists BoringSSL names for TLS ≤ 1.2 (OpenSSL's are the same); `[A|B]` equal-preference
    // groups are flattened. TLS 1.3 suites are not configurable in Envoy, so node's defaults stay.
    out.ciphers = p.cipher_suites.map((c) => c.replace(/^\[|\]$/g, '').replace(/\|/g, ':')).join(':');
  }
  if (p?.ecdh_curves !== undefined && p.ecdh_curves.length > 0) out.ecdhCurve = p.ecdh_curves.join(':');
  return out;
}

type SanType = 'DNS' | 'URI' | 'EMAIL' | 'IP Address' | null;

interface SanRule {
  type: SanType;
  matcher: CompiledStringMatcher;
}

/** The validation context fields SAN verification reads. */
export interface SanValidation {
  match_typed_subject_alt_names?: { san_type?: string; matcher?: StringMatcher }[];
  match_subject_alt_names?: StringMatcher[];
}

/** A peer certificate's subject alt names must match one of the rules (Envoy: any rule, any SAN). */
export class SanVerifier {
  private constructor(private readonly rules: readonly SanRule[]) {}

  /** The verifier of a validation context, or null when it names no SAN matchers. */
  static compile(v: SanValidation | undefined): SanVerifier | null {
    const rules: SanRule[] = [];
    for (const t of v?.match_typed_subject_alt_names ?? []) {
      if (!t.matcher) throw new Error('match_typed_subject_alt_names entry has no matcher');
      rules.push({ type: sanType(t.san_type), matcher: CompiledStringMatcher.compile(t.matcher) });
    }
    for (const m of v?.match_subject_alt_names ?? []) rules.push({ type: null, matcher: CompiledStringMatcher.compile(m) });
    return rules.length === 0 ? null : new SanVerifier(rules);
  }

  /** null when a SAN of the certificate matches, else why not. */
  verify(cert: PeerCertificate | null | undefined): string | null {
    const entries = parseSubjectAltNames(cert?.subjectaltname);
    for (const r of this.rules)
      for (const [type, value] of entries) if ((r.type === null || r.type === type) && r.matcher.matches(value)) return null;
    return entries.length === 0 ? 'the peer certificate has no subject alt names' : `no subject alt name matches (${cert?.subjectaltname ?? ''})`;
  }
}

function sanType(t: string | undefined): SanType {
  switch (t) {
    case 'DNS':
      return 'DNS';
    case 'URI':
      return 'URI';
    case 'EMAIL':
      return 'EMAIL';
    case 'IP_ADDRESS':
      return 'IP Address';
    default:
      throw new Error(`unsupported san_type ${String(t)}`);
  }
}

/** node's `subjectaltname` (`DNS:a.example.com, IP Address:10.0.0.1, email:x@y, URI:spiffe://…`) as pairs. */
export function parseSubjectAltNames(s: string | undefined): [SanType, string][] {
  if (s === undefined || s === '') return [];
  const out: [SanType, string][] = [];
  for (const part of s.split(', ')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const k = part.slice(0, colon);
    let v = part.slice(colon + 1);
    if (v.startsWith('"') && v.endsWith('"')) v = JSON.parse(v) as string;
    const type: SanType = k === 'DNS' ? 'DNS' : k === 'URI' ? 'URI' : k === 'email' ? 'EMAIL' : k === 'IP Address' ? 'IP Address' : null;
    if (type !== null) out.push([type, v]);
  }
  return out;
}
