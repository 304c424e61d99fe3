/**
 * Envoy's UpstreamTlsContext (`transport_socket` `envoy.transport_sockets.tls` of a cluster) compiled
 * into the options node:tls connects with, once per distinct config:
 *
 * - `common_tls_context.tls_certificates[0]` → client certificate and key (mTLS);
 * - `validation_context.trusted_ca` → the CAs the server certificate must chain to. Without a
 *   validation context Envoy verifies nothing, and neither do we (`rejectUnauthorized: false`);
 *   `trust_chain_verification: ACCEPT_UNTRUSTED` keeps only the subject alt name check;
 * - `match_typed_subject_alt_names` (and the deprecated `match_subject_alt_names`) → the server
 *   certificate must carry a matching SAN. The host name itself is not checked otherwise, as in Envoy;
 * - `sni` → `servername` (never an IP address); `alpn_protocols` → ALPN (default: the cluster's
 *   protocol — `h2`, `http/1.1`, or both for `auto_config`);
 * - `tls_params` → `minVersion` / `maxVersion` (Envoy's client defaults: TLS 1.2 to TLS 1.2),
 *   `ciphers` (`[A|B]` preference groups are flattened), `ecdhCurve`.
 * Not applied: SDS secret configs (the cluster is rejected), `allow_renegotiation` (node's client
 * accepts renegotiation as it is), CRLs, SPKI / hash pinning, private key providers.
 *
 * DataSources: `inline_string`, `inline_bytes` (base64 or bytes), `filename` (read when the config
 * is applied; a changed file is picked up with the next config update), `environment_variable`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type ConnectionOptions, type PeerCertificate, type SecureContext } from 'node:tls';
import type { StringMatcher, Struct, StructValue, TransportSocket } from '../../../xds/envoy-types.js';
import { CompiledStringMatcher } from '../../router/string-matcher.js';

/** What the connector needs to open a TLS connection to one upstream. */
export interface UpstreamTls {
  /** Options for `tls.connect` (without host, port, socket). */
  readonly options: ConnectionOptions;
  /** A client certificate is configured (for the error text when a server demands one). */
  readonly hasClientCertificate: boolean;
  /** The SAN check to run ourselves after the handshake (when the chain itself is not verified). */
  readonly manualSanCheck: ((cert: PeerCertificate) => Error | undefined) | null;
  /** Canonical text of the config, for pool keys. */
  readonly fingerprint: string;
}

interface TlsContextConfig {
  '@type'?: string;
  sni?: string;
  common_tls_context?: {
    tls_params?: {
      tls_minimum_protocol_version?: string | number;
      tls_maximum_protocol_version?: string | number;
      cipher_suites?: string[];
      ecdh_curves?: string[];
    };
    tls_certificates?: { certificate_chain?: DataSourceLike; private_key?: DataSourceLike; password?: DataSourceLike }[];
    tls_certificate_sds_secret_configs?: unknown[];
    validation_context?: {
      trusted_ca?: DataSourceLike;
      match_typed_subject_alt_names?: { san_type?: string | number; matcher?: StringMatcher }[];
      match_subject_alt_names?: StringMatcher[];
      trust_chain_verification?: string | number;
    };
    validation_context_sds_secret_config?: unknown;
    combined_validation_context?: unknown;
    alpn_protocols?: string[];
  };
}

interface DataSourceLike {
  filename?: string;
  inline_string?: string;
  inline_bytes?: string | Uint8Array;
  environment_variable?: string;
}

const TLS_TRANSPORT_SOCKETS = new Set(['envoy.transport_sockets.tls', 'tls']);

const VERSIONS: Record<string, ConnectionOptions['minVersion']> = {
  TLSv1_0: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};
const VERSION_BY_NUMBER = ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'];

/** Envoy's client defaults. */
const DEFAULT_MIN_VERSION = 'TLSv1.2';
const DEFAULT_MAX_VERSION = 'TLSv1.2';

/**
 * The TLS settings of a transport socket, null for a plain-text one. Throws (the cluster is then
 * rejected) on a transport socket it cannot serve: another type, SDS, an unreadable file, bad PEM.
 */
export function compileUpstreamTls(socket: TransportSocket | undefined, defaultAlpn: readonly string[]): UpstreamTls | null {
  if (socket === undefined || socket === null) return null;
  const name = socket.name ?? '';
  const ctx = (socket.typed_config ?? {}) as TlsContextConfig;
  const type = ctx['@type'] ?? '';
  if (!TLS_TRANSPORT_SOCKETS.has(name) && !type.endsWith('.UpstreamTlsContext')) {
    if (name === 'envoy.transport_sockets.raw_buffer' || type.endsWith('.RawBuffer')) return null;
    throw new Error(`transport socket ${name || type} is not supported (only envoy.transport_sockets.tls)`);
  }
  const common = ctx.common_tls_context ?? {};
  if ((common.tls_certificate_sds_secret_configs?.length ?? 0) > 0 || common.validation_context_sds_secret_config || common.combined_validation_context) {
    throw new Error('UpstreamTlsContext: SDS secrets and combined validation contexts are not supported');
  }
  const options: ConnectionOptions = {};
  const params = common.tls_params ?? {};
  const min = version(params.tls_minimum_protocol_version) ?? DEFAULT_MIN_VERSION;
  let max = version(params.tls_maximum_protocol_version) ?? DEFAULT_MAX_VERSION;
  if (versionRank(max) < versionRank(min)) max = min;
  const secure: Parameters<typeof createSecureContext>[0] = { minVersion: min, maxVersion: max };
  if (params.cipher_suites?.length) secure.ciphers = flattenCiphers(params.cipher_suites);
  if (params.ecdh_curves?.length) secure.ecdhCurve = params.ecdh_curves.join(':');

  const certs = common.tls_certificates ?? [];
  let hasClientCertificate = false;
  if (certs.length > 0) {
    const c = certs[0]!;
    const cert = c.certificate_chain ? readDataSource(c.certificate_chain, 'certificate_chain') : undefined;
    const key = c.private_key ? readDataSource(c.private_key, 'private_key') : undefined;
    if (cert !== undefined && key !== undefined) {
      secure.cert = cert;
      secure.key = key;
      if (c.password) secure.passphrase = readDataSource(c.password, 'password').toString('utf8');
      hasClientCertificate = true;
    }
  }

  const vc = common.validation_context;
  let manualSanCheck: UpstreamTls['manualSanCheck'] = null;
  if (vc !== undefined && vc !== null) {
    const sanCheck = compileSanMatchers(vc.match_typed_subject_alt_names, vc.match_subject_alt_names);
    const acceptUntrusted = vc.trust_chain_verification === 'ACCEPT_UNTRUSTED' || vc.trust_chain_verification === 1;
    if (vc.trusted_ca) secure.ca = readDataSource(vc.trusted_ca, 'trusted_ca');
    if (acceptUntrusted || !vc.trusted_ca) {
      // Nothing to chain to (or chain errors accepted): only the SANs, if any, are checked.
      options.rejectUnauthorized = false;
      manualSanCheck = sanCheck;
    } else {
      options.rejectUnauthorized = true;
      options.checkServerIdentity = sanCheck === null ? noIdentityCheck : (_host, cert) => sanCheck(cert);
    }
  } else {
    options.rejectUnauthorized = false;
  }
  options.secureContext = createSecureContext(secure) as SecureContext;
  if (ctx.sni && isIP(ctx.sni) === 0) options.servername = ctx.sni;
  const alpn = (common.alpn_protocols ?? []).filter((p) => p !== '');
  options.ALPNProtocols = alpn.length > 0 ? alpn : [...defaultAlpn];
  return { options, hasClientCertificate, manualSanCheck, fingerprint: JSON.stringify(socket) };
}

/** A copy of a TLS config with another SNI (per-endpoint `transport_socket_matches` and `auto_sni`). */
export function withServername(tls: UpstreamTls, servername: string): UpstreamTls {
  if (isIP(servername) !== 0) return tls;
  return { ...tls, options: { ...tls.options, servername }, fingerprint: `${tls.fingerprint}\u0000sni=${servername}` };
}

function noIdentityCheck(): undefined {
  return undefined;
}

function version(v: string | number | undefined): ConnectionOptions['minVersion'] | undefined {
  const name = typeof v === 'number' ? VERSION_BY_NUMBER[v] : v;
  if (name === undefined || name === 'TLS_AUTO') return undefined;
  const out = VERSIONS[name];
  if (out === undefined) throw new Error(`unknown TLS protocol version ${String(v)}`);
  return out;
}

function versionRank(v: string): number {
  return ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].indexOf(v);
}

/** Envoy's `[A|B]` equal-preference groups are BoringSSL syntax; OpenSSL takes a plain list. */
function flattenCiphers(list: readonly string[]): string {
  const out: string[] = [];
  for (const entry of list) {
    const e = entry.trim();
    if (e.startsWith('[') && e.endsWith(']')) out.push(...e.slice(1, -1).split('|'));
    else out.push(e);
  }
  return out.join(':');
}

function readDataSource(ds: DataSourceLike, what: string): Buffer {
  if (ds.inline_string !== undefined && ds.inline_string !== '') return Buffer.from(ds.inline_string, 'utf8');
  if (ds.inline_bytes !== undefined && ds.inline_bytes !== '') {
    return typeof ds.inline_bytes === 'string' ? Buffer.from(ds.inline_bytes, 'base64') : Buffer.from(ds.inline_bytes);
  }
  if (ds.filename) {
    try {
      return readFileSync(ds.filename);
    } catch (err) {
      throw new Error(`cannot read ${what} file ${ds.filename}: ${(err as Error).message}`);
    }
  }
  if (ds.environment_variable) {
    const v = process.env[ds.environment_variable];
    if (v === undefined) throw new Error(`environment variable ${ds.environment_variable} (${what}) is not set`);
    return Buffer.from(v, 'utf8');
  }
  throw new Error(`${what} has no data source`);
}

// ---- subject alt names --------------------------------------------------------------------------

type SanType = 'DNS' | 'EMAIL' | 'URI' | 'IP_ADDRESS' | 'ANY';

/** Node's `subjectaltname` prefixes → Envoy's SAN types. */
const NODE_SAN_TYPES: Record<string, SanType> = { DNS: 'DNS', email: 'EMAIL', URI: 'URI', 'IP Address': 'IP_ADDRESS' };
const SAN_TYPE_BY_NUMBER: SanType[] = ['ANY', 'EMAIL', 'DNS', 'URI', 'IP_ADDRESS'];

interface SanMatcher {
  type: SanType;
  matcher: CompiledStringMatcher;
  /** The exact value, for wildcard DNS certificates (`*.example.com` matches `api.example.com`). */
  exact: string | undefined;
  text: string;
}

function compileSanMatchers(
  typed: { san_type?: string | number; matcher?: StringMatcher }[] | undefined,
  legacy: StringMatcher[] | undefined,
): ((cert: PeerCertificate) => Error | undefined) | null {
  const matchers: SanMatcher[] = [];
  for (const t of typed ?? []) {
    if (!t.matcher) continue;
    const type = typeof t.san_type === 'number' ? SAN_TYPE_BY_NUMBER[t.san_type] : (t.san_type as SanType | undefined);
    if (type === undefined || type === ('SAN_TYPE_UNSPECIFIED' as SanType) || type === ('OTHER_NAME' as SanType)) {
      throw new Error(`match_typed_subject_alt_names: SAN type ${String(t.san_type)} is not supported`);
    }
    matchers.push({ type, matcher: CompiledStringMatcher.compile(t.matcher), exact: t.matcher.exact, text: `${type}:${describe(t.matcher)}` });
  }
  for (const m of legacy ?? []) {
    matchers.push({ type: 'ANY', matcher: CompiledStringMatcher.compile(m), exact: m.exact, text: describe(m) });
  }
  if (matchers.length === 0) return null;
  const wanted = matchers.map((m) => m.text).join(', ');
  return (cert) => {
    const sans = parseSubjectAltNames(cert.subjectaltname ?? '');
    for (const m of matchers) {
      for (const [type, value] of sans) {
        if (m.type !== 'ANY' && m.type !== type) continue;
        if (m.matcher.matches(value)) return undefined;
        if (type === 'DNS' && m.exact !== undefined && wildcardMatches(value, m.exact)) return undefined;
      }
    }
    const have = sans.length === 0 ? 'none' : sans.map(([t, v]) => `${t}:${v}`).join(', ');
    const err = new Error(`the server certificate's subject alt names (${have}) match none of ${wanted}`) as NodeJS.ErrnoException;
    err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
    return err;
  };
}

function describe(m: StringMatcher): string {
  if (m.exact !== undefined) return m.exact;
  if (m.prefix !== undefined) return `${m.prefix}*`;
  if (m.suffix !== undefined) return `*${m.suffix}`;
  if (m.contains !== undefined) return `*${m.contains}*`;
  if (m.safe_regex !== undefined) return `~${m.safe_regex.regex}`;
  return '?';
}

/** A `*.example.com` certificate name covers exactly one label in front of `example.com`. */
function wildcardMatches(certName: string, wanted: string): boolean {
  if (!certName.startsWith('*.')) return false;
  const dot = wanted.indexOf('.');
  return dot > 0 && wanted.slice(dot).toLowerCase() === certName.slice(1).toLowerCase();
}

/** Parses node's `subjectaltname` text (`DNS:a, IP Address:127.0.0.1, URI:"x,y"`) into typed names. */
export function parseSubjectAltNames(text: string): [SanType, string][] {
  const out: [SanType, string][] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const kind = text.slice(i, colon).trim();
    let j = colon + 1;
    let value: string;
    if (text[j] === '"') {
      // JSON-quoted (node quotes names with commas or quotes in them).
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(j, k + 1)) as string;
      } catch {
        value = text.slice(j + 1, k);
      }
      j = k + 1;
    } else {
      const comma = text.indexOf(',', j);
      value = text.slice(j, comma === -1 ? text.length : comma);
      j = comma === -1 ? text.length : comma;
    }
    const type = NODE_SAN_TYPES[kind];
    if (type !== undefined) out.push([type, value.trim()]);
    const next = text.indexOf(',', j);
    i = next === -1 ? text.length : next + 1;
  }
  return out;
}

// ---- transport socket matches -------------------------------------------------------------------

/** `google.protobuf.Struct` (protobufjs object form or plain JSON) → plain JSON. */
export function structToJson(s: Struct | Record<string, unknown> | undefined): Record<string, unknown> {
  if (s === undefined || s === null) return {};
  const fields = (s as Struct).fields;
  if (fields === undefined || typeof fields !== 'object') return s as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = structValue(v);
  return out;
}

function structValue(v: StructValue): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  if ('structValue' in v) return structToJson(v.structValue);
  if ('listValue' in v) return (v.listValue.values ?? []).map(structValue);
  return null;
}

/** Envoy's rule: a match applies when every one of its fields equals the endpoint's metadata field. */
export function metadataMatches(match: Record<string, unknown>, metadata: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(match)) {
    if (JSON.stringify(metadata[k]) !== JSON.stringify(v)) return false;
  }
  return true;
}
