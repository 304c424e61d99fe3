/**
 * `x-forwarded-client-cert` (XFCC), as Envoy's `forward_client_cert_details` and
 * `set_current_client_cert_details`:
 * - SANITIZE (the default): the header is removed from every request;
 * - FORWARD_ONLY: kept as the client sent it on mTLS connections, removed otherwise;
 * - APPEND_FORWARD: on mTLS connections this proxy's element is appended (`,`), else removed;
 * - SANITIZE_SET: on mTLS connections replaced by this proxy's element, else removed;
 * - ALWAYS_FORWARD_ONLY: always passed as is.
 * An element is `By=<URI SANs of our certificate>;Hash=<sha256 of the client certificate, hex>` plus, as
 * configured, `Cert="<url-encoded PEM>"`, `Chain="<url-encoded PEM chain>"`, `Subject="<RFC 2253>"`,
 * `URI=<uri SAN>` and `DNS=<dns SAN>` (one per name). It is computed once per connection (cached on
 * the TLS socket), so a keep-alive or HTTP/2 connection pays for it on its first request only.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpConnectionManager as HcmConfig } from '../../xds/envoy-types.js';
import { parseSubjectAltNames } from '../tls/common-tls.js';

const XFCC = 'x-forwarded-client-cert';

export const enum XfccMode {
  Sanitize,
  ForwardOnly,
  AppendForward,
  SanitizeSet,
  AlwaysForwardOnly,
}

export interface XfccDetails {
  subject: boolean;
  cert: boolean;
  chain: boolean;
  dns: boolean;
  uri: boolean;
}

export interface XfccConfig {
  mode: XfccMode;
  details: XfccDetails;
}

/** The HCM's XFCC settings (SANITIZE with no details when unset). */
export function compileXfcc(hcm: HcmConfig): XfccConfig {
  const m = hcm.forward_client_cert_details;
  const mode =
    m === 'FORWARD_ONLY'
      ? XfccMode.ForwardOnly
      : m === 'APPEND_FORWARD'
        ? XfccMode.AppendForward
        : m === 'SANITIZE_SET'
          ? XfccMode.SanitizeSet
          : m === 'ALWAYS_FORWARD_ONLY'
            ? XfccMode.AlwaysForwardOnly
            : XfccMode.Sanitize;
  const d = hcm.set_current_client_cert_details;
  return {
    mode,
    details: {
      subject: d?.subject?.value === true,
      cert: d?.cert === true,
      chain: d?.chain === true,
      dns: d?.dns === true,
      uri: d?.uri === true,
    },
  };
}

const kXfcc = Symbol('gloo.xfcc');
type CachedSocket = TLSSocket & { [kXfcc]?: { details: XfccDetails; value: string | null } };

/** Applies the XFCC policy to a request's headers. */
export function applyXfcc(req: IncomingMessage, c: XfccConfig): void {
  const h = req.headers;
  if (c.mode === XfccMode.Sanitize) {
    // The default, on every request: one property check.
    if (h[XFCC] !== undefined) delete h[XFCC];
    return;
  }
  if (c.mode === XfccMode.AlwaysForwardOnly) return;
  const sock = req.socket as CachedSocket;
  const mtls = sock.encrypted === true && typeof sock.getPeerX509Certificate === 'function' && sock.authorized === true;
  if (!mtls) {
    if (h[XFCC] !== undefined) delete h[XFCC];
    return;
  }
  if (c.mode === XfccMode.ForwardOnly) return;
  const own = elementOf(sock, c.details);
  if (own === null) {
    if (c.mode === XfccMode.SanitizeSet) delete h[XFCC];
    return;
  }
  const prior = h[XFCC];
  h[XFCC] = c.mode === XfccMode.AppendForward && prior !== undefined && prior !== '' ? `${String(prior)},${own}` : own;
}

/** This proxy's XFCC element for a connection's client certificate, cached on the socket. */
function elementOf(sock: CachedSocket, details: XfccDetails): string | null {
  const cached = sock[kXfcc];
  if (cached !== undefined && cached.details === details) return cached.value;
  const value = buildElement(sock, details);
  sock[kXfcc] = { details, value };
  return value;
}

function buildElement(sock: TLSSocket, d: XfccDetails): string | null {
  const peer = sock.getPeerX509Certificate();
  if (peer === undefined) return null;
  const parts: string[] = [];
  const local = sock.getX509Certificate();
  for (const [type, v] of parseSubjectAltNames(local?.subjectAltName)) if (type === 'URI') parts.push(`By=${v}`);
  parts.push(`Hash=${peer.fingerprint256.replace(/:/g, '').toLowerCase()}`);
  if (d.cert) parts.push(`Cert="${encodeURIComponent(peer.toString())}"`);
  if (d.chain) parts.push(`Chain="${encodeURIComponent(chainPem(sock, peer))}"`);
  if (d.subject) parts.push(`Subject="${rfc2253(peer.subject)}"`);
  const sans = parseSubjectAltNames(peer.subjectAltName);
  if (d.uri) for (const [type, v] of sans) if (type === 'URI') parts.push(`URI=${v}`);
  if (d.dns) for (const [type, v] of sans) if (type === 'DNS') parts.push(`DNS=${v}`);
  return parts.join(';');
}

/** The peer's chain as PEM, leaf first (what the client sent, as node reports it). */
function chainPem(sock: TLSSocket, leaf: X509Certificate): string {
  let pem = leaf.toString();
  let cert = sock.getPeerCertificate(true);
  const seen = new Set<string>([cert.fingerprint256]);
  while (cert.issuerCertificate !== undefined && !seen.has(cert.issuerCertificate.fingerprint256)) {
    cert = cert.issuerCertificate;
    seen.add(cert.fingerprint256);
    pem += new X509Certificate(cert.raw).toString();
  }
  return pem;
}

/** node's subject (`C=US\nO=Lyft\nCN=client`) in RFC 2253 order (`CN=client,O=Lyft,C=US`), escaped. */
export function rfc2253(subject: string): string {
  return subject
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .map((l) => {
      const eq = l.indexOf('=');
      const v = l.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1');
      return `${l.slice(0, eq)}=${v}`;
    })
    .join(',');
}
