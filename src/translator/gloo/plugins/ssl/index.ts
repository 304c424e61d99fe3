/**
 * TLS contexts (spec §2.2.9, §2.7.4, §8.3–8.4): Gloo's SslConfig / UpstreamSslConfig → Envoy's
 * `envoy.transport_sockets.tls` transport socket with a DownstreamTlsContext (listener filter chains)
 * or an UpstreamTlsContext (clusters).
 *
 * Certificates come from a Kubernetes Secret in the snapshot (`tls.crt` → certificate chain,
 * `tls.key` → private key, `ca.crt` → trusted CA, as inline strings, the way Gloo inlines them) or
 * from files on the proxy (`sslFiles` → `filename`). SDS is not translated (Warning). A missing
 * secret is Gloo's error `SSL secret not found: list did not find secret <ns>.<name>`.
 *
 * The upstream plugin also turns on TLS for static upstreams with a host on port 443 (unless
 * `useTls: false`) and, with `autoSniRewrite` (default on), gives every host whose address is a
 * host name (or that has `sniAddr`) its own SNI through `transport_socket_matches` and the
 * endpoint's `envoy.transport_socket_match` metadata.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { Plugin, ProblemSink, TranslationParams } from '../../plugin.js';
import type { SslConfig, SslParameters } from '../../../../api/types/ssl.js';
import type { UpstreamSslConfig } from '../../../../api/types/upstream-ssl.js';
import { secretData } from '../../../../api/load.js';
import { parseDurationMs } from '../../../../api/schema.js';
import { TYPE_URL, durationFromMs, toStruct, type DataSource, type Duration, type TransportSocket, type TypedConfig } from '../../../../xds/envoy-types.js';

export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';
/** The endpoint metadata namespace Envoy reads to pick a `transport_socket_matches` entry. */
export const TRANSPORT_SOCKET_MATCH = 'envoy.transport_socket_match';
/** Gloo's default ALPN for HTTP listeners; `['allow_empty']` means none. */
export const DEFAULT_HTTP_ALPN = ['h2', 'http/1.1'];

interface CertSource {
  certChain?: DataSource;
  privateKey?: DataSource;
  rootCa?: DataSource;
  ocspStaple?: DataSource;
}

/** The certificates of a secretRef / sslFiles, or undefined after reporting why there are none. */
function certSource(
  params: TranslationParams,
  cfg: { secretRef?: { name?: string; namespace?: string } | undefined; sslFiles?: SslConfig['sslFiles']; sds?: unknown },
  report: ProblemSink,
  missingSecretIsWarning: boolean,
): CertSource | undefined {
  if (cfg.secretRef) {
    const ns = cfg.secretRef.namespace ?? '';
    const name = cfg.secretRef.name ?? '';
    const secret = params.snapshot.secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
    if (!secret) {
      const msg = `SSL secret not found: list did not find secret ${ns}.${name}`;
      if (missingSecretIsWarning) report.warning(msg);
      else report.error(msg);
      return undefined;
    }
    const data = secretData(secret.spec);
    const problem = invalidTlsData(data);
    if (problem !== null) {
      // A proxy could not load it: reject at translation, where the user sees it (never a dead chain).
      report.error(`SSL secret ${ns}.${name} is not a valid TLS secret: ${problem}`);
      return undefined;
    }
    const text = (k: string): DataSource | undefined => (data[k] && data[k].length > 0 ? { inline_string: data[k].toString('utf8') } : undefined);
    const out: CertSource = {};
    const chain = text('tls.crt');
    const key = text('tls.key');
    const ca = text('ca.crt');
    if (chain) out.certChain = chain;
    if (key) out.privateKey = key;
    if (ca) out.rootCa = ca;
    const staple = data['tls.ocsp-staple'];
    if (staple && staple.length > 0) out.ocspStaple = { inline_bytes: staple.toString('base64') };
    return out;
  }
  if (cfg.sslFiles) {
    const f = cfg.sslFiles;
    const out: CertSource = {};
    if (f.tlsCert) out.certChain = { filename: f.tlsCert };
    if (f.tlsKey) out.privateKey = { filename: f.tlsKey };
    if (f.rootCa) out.rootCa = { filename: f.rootCa };
    if (f.ocspStaple) out.ocspStaple = { filename: f.ocspStaple };
    return out;
  }
  if (cfg.sds) {
    report.warning('sslConfig.sds is not translated yet: the TLS context has no certificates');
    return {};
  }
  return {};
}

/**
 * Why a TLS secret's data cannot be served, or null: `tls.crt` must hold PEM certificates and `tls.key`
 * the private key of the first one; `ca.crt` PEM certificates. A secret with only `ca.crt` (an upstream
 * that verifies its server without a client certificate) is valid.
 */
export function invalidTlsData(data: Record<string, Buffer>): string | null {
  const crt = data['tls.crt'];
  const key = data['tls.key'];
  const ca = data['ca.crt'];
  const has = (b: Buffer | undefined): b is Buffer => b !== undefined && b.length > 0;
  if (has(crt) !== has(key)) return has(crt) ? 'tls.crt is set but tls.key is empty' : 'tls.key is set but tls.crt is empty';
  try {
    if (has(crt) && has(key)) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(crt);
      } catch (err) {
        return `tls.crt: cannot parse the certificate (${(err as Error).message})`;
      }
      let pk;
      try {
        pk = createPrivateKey(key);
      } catch (err) {
        return `tls.key: cannot parse the private key (${(err as Error).message})`;
      }
      if (!cert.checkPrivateKey(pk)) return 'tls.key does not match the certificate in tls.crt';
    }
    if (has(ca)) {
      try {
        new X509Certificate(ca);
      } catch (err) {
        return `ca.crt: cannot parse the certificate (${(err as Error).message})`;
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  return null;
}

function tlsParams(p: SslParameters | undefined): Record<string, unknown> | undefined {
  if (!p) return undefined;
  const out: Record<string, unknown> = {};
  // TLS_AUTO is the proto3 default (0): left out.
  if (p.minimumProtocolVersion && p.minimumProtocolVersion !== 'TLS_AUTO') out.tls_minimum_protocol_version = p.minimumProtocolVersion;
  if (p.maximumProtocolVersion && p.maximumProtocolVersion !== 'TLS_AUTO') out.tls_maximum_protocol_version = p.maximumProtocolVersion;
  if (p.cipherSuites?.length) out.cipher_suites = [...p.cipherSuites];
  if (p.ecdhCurves?.length) out.ecdh_curves = [...p.ecdhCurves];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The CommonTlsContext shared by both directions. */
function commonTlsContext(
  certs: CertSource,
  cfg: { verifySubjectAltName?: string[] | undefined; parameters?: SslParameters | undefined; oneWayTls?: boolean | undefined },
  alpn: readonly string[],
  sendCertificate: boolean,
  report: ProblemSink,
): Record<string, unknown> | undefined {
  const ctx: Record<string, unknown> = {};
  const params = tlsParams(cfg.parameters);
  if (params) ctx.tls_params = params;
  if (sendCertificate && certs.certChain && certs.privateKey) {
    const cert: Record<string, unknown> = { certificate_chain: certs.certChain, private_key: certs.privateKey };
    if (certs.ocspStaple) cert.ocsp_staple = certs.ocspStaple;
    ctx.tls_certificates = [cert];
  }
  const sans = cfg.verifySubjectAltName ?? [];
  if (sans.length > 0 && !certs.rootCa) {
    report.error('a root_ca must be provided if verify_subject_alt_name is not empty');
    return undefined;
  }
  if (certs.rootCa) {
    const vc: Record<string, unknown> = { trusted_ca: certs.rootCa };
    if (sans.length > 0) vc.match_typed_subject_alt_names = sans.map((s) => ({ san_type: 'DNS', matcher: { exact: s } }));
    ctx.validation_context = vc;
  }
  if (alpn.length > 0) ctx.alpn_protocols = [...alpn];
  return ctx;
}

export interface DownstreamTls {
  transport_socket: TransportSocket;
  transport_socket_connect_timeout?: Duration;
}

/**
 * The TLS termination of a filter chain, or undefined when the config has no certificates source
 * (TLS passthrough: the chain only matches on SNI) or an error was reported.
 * `http`: an HTTP chain (ALPN defaults to h2, http/1.1).
 */
export function downstreamTls(params: TranslationParams, ssl: SslConfig, report: ProblemSink, http: boolean, missingSecretIsWarning: boolean): DownstreamTls | 'passthrough' | undefined {
  if (!ssl.secretRef && !ssl.sslFiles && !ssl.sds) return 'passthrough';
  const certs = certSource(params, ssl, report, missingSecretIsWarning);
  if (!certs) return undefined;
  if (!ssl.sds && (!certs.certChain || !certs.privateKey)) {
    report.error(`sslConfig: the server certificate needs both tls.crt and tls.key${ssl.secretRef ? ` (secret ${ssl.secretRef.namespace ?? ''}.${ssl.secretRef.name ?? ''})` : ''}`);
    return undefined;
  }
  let alpn: readonly string[] = ssl.alpnProtocols ?? (http ? DEFAULT_HTTP_ALPN : []);
  if (alpn.length === 1 && alpn[0] === 'allow_empty') alpn = [];
  const common = commonTlsContext(certs, ssl, alpn, true, report);
  if (!common) return undefined;
  const ctx: TypedConfig = { '@type': TYPE_URL.downstreamTlsContext, common_tls_context: common };
  if (certs.rootCa && !ssl.oneWayTls) ctx.require_client_certificate = { value: true };
  if (ssl.disableTlsSessionResumption) {
    ctx.disable_stateless_session_resumption = true;
    ctx.disable_stateful_session_resumption = true;
  }
  if (ssl.ocspStaplePolicy && ssl.ocspStaplePolicy !== 'LENIENT_STAPLING') ctx.ocsp_staple_policy = ssl.ocspStaplePolicy;
  const out: DownstreamTls = { transport_socket: { name: TLS_TRANSPORT_SOCKET, typed_config: ctx } };
  if (ssl.transportSocketConnectTimeout !== undefined) {
    const ms = parseDurationMs(ssl.transportSocketConnectTimeout);
    if (ms !== undefined) out.transport_socket_connect_timeout = durationFromMs(ms);
  }
  return out;
}

/** The UpstreamTlsContext transport socket of an UpstreamSslConfig, or undefined after an error. */
export function upstreamTransportSocket(params: TranslationParams, ssl: UpstreamSslConfig, report: ProblemSink): TransportSocket | undefined {
  const certs = certSource(params, ssl, report, false);
  if (!certs) return undefined;
  const common = commonTlsContext(certs, ssl, ssl.alpnProtocols ?? [], !ssl.oneWayTls, report);
  if (!common) return undefined;
  const ctx: TypedConfig = { '@type': TYPE_URL.upstreamTlsContext, common_tls_context: common };
  if (ssl.sni) ctx.sni = ssl.sni;
  if (ssl.allowRenegotiation) ctx.allow_renegotiation = true;
  return { name: TLS_TRANSPORT_SOCKET, typed_config: ctx };
}

/** The SNI a static host gets with autoSniRewrite: its `sniAddr`, else its address when that is a host name. */
function hostSni(host: { addr?: string | undefined; sniAddr?: string | undefined }, autoSniRewrite: boolean): string | undefined {
  if (host.sniAddr) return host.sniAddr;
  if (autoSniRewrite && host.addr && isIP(host.addr) === 0) return host.addr;
  return undefined;
}

export const upstreamSslPlugin: Plugin = {
  name: 'ssl',
  processUpstream(params, upstream, out) {
    const spec = upstream.spec;
    const stat = spec.static;
    let ssl: UpstreamSslConfig | undefined = spec.sslConfig;
    if (!ssl && stat) {
      const useTls = stat.useTls ?? (stat.hosts ?? []).some((h) => h.port === 443);
      if (useTls) ssl = {};
    }
    if (!ssl) return;
    const socket = upstreamTransportSocket(params, ssl, params.report);
    if (!socket) return;
    out.transport_socket = socket;
    if (!stat || (stat.autoSniRewrite === false && !(stat.hosts ?? []).some((h) => h.sniAddr))) return;
    // Per-host SNI: one transport socket per distinct SNI, picked by the endpoint's metadata.
    const matches = new Map<string, TransportSocket>();
    for (const le of out.load_assignment?.endpoints ?? []) {
      for (const e of le.lb_endpoints) {
        const sa = e.endpoint.address.socket_address;
        const host = (stat.hosts ?? []).find((h) => h.addr === sa?.address && h.port === sa?.port_value);
        const sni = host ? hostSni(host, stat.autoSniRewrite !== false) : undefined;
        if (!sni) continue;
        e.metadata = { filter_metadata: { ...e.metadata?.filter_metadata, [TRANSPORT_SOCKET_MATCH]: toStruct({ sni }) } };
        if (!matches.has(sni)) {
          const s = structuredClone(socket);
          s.typed_config.sni = sni;
          matches.set(sni, s);
        }
      }
    }
    if (matches.size > 0)
      out.transport_socket_matches = [...matches].map(([sni, transport_socket]) => ({ name: sni, match: toStruct({ sni }), transport_socket }));
  },
};
