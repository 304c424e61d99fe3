/**
 * TLS termination for a listener filter chain (`transport_socket` `envoy.transport_sockets.tls` with a
 * DownstreamTlsContext), compiled once per config into a node SecureContext plus the per-connection
 * options node takes on a server-side TLSSocket:
 * - certificates: every `tls_certificates` entry (RSA and ECDSA pairs may coexist), with `password`;
 * - `tls_params`: minimum (Envoy's server default TLS 1.2) and maximum version, cipher suites, curves;
 * - client certificates: `validation_context.trusted_ca` makes the server ask for one;
 *   `require_client_certificate` makes it mandatory (the handshake fails without a valid one); without
 *   it a presented certificate must still verify (Envoy's behaviour), an absent one is accepted;
 *   `match_typed_subject_alt_names` is checked after the handshake (the connection is closed on a
 *   mismatch, as Envoy fails the handshake);
 * - `alpn_protocols`, in server preference order (Gloo's default `h2,http/1.1`);
 * - `ocsp_staple` (a DER OCSP response, Gloo's `tls.ocsp-staple` / `sslFiles.ocspStaple`): sent to clients
 *   that ask for the certificate status; `ocsp_staple_policy` MUST_STAPLE without a staple refuses the
 *   chain (Envoy's config error). The staple is served as given: its freshness is not checked here.
 * SDS secret references are not served by this data plane (the translator inlines secrets): a chain
 * that needs one throws, and the listener compiler leaves it out with a log line.
 */
import { createServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { DataSource, TransportSocket } from '../../xds/envoy-types.js';
import { readDataSource, SanVerifier, tlsParamsOptions, type SanValidation, type TlsParams } from './common-tls.js';

/** The DownstreamTlsContext fields this data plane reads. */
interface DownstreamTlsContextConfig {
  common_tls_context?: {
    tls_params?: TlsParams;
    tls_certificates?: { certificate_chain?: DataSource; private_key?: DataSource; password?: DataSource; ocsp_staple?: DataSource }[];
    tls_certificate_sds_secret_configs?: unknown[];
    validation_context?: SanValidation & { trusted_ca?: DataSource; crl?: DataSource; allow_expired_certificate?: boolean };
    validation_context_sds_secret_config?: unknown;
    combined_validation_context?: unknown;
    alpn_protocols?: string[];
  };
  require_client_certificate?: { value?: boolean } | boolean;
  ocsp_staple_policy?: 'LENIENT_STAPLING' | 'STRICT_STAPLING' | 'MUST_STAPLE';
}

export const DOWNSTREAM_TLS_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

/** Envoy's `transport_socket_connect_timeout` is unset by default; a silent handshake is still cut after this. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export class DownstreamTls {
  /** Called with each connection whose handshake (and node's certificate checks) succeeded. Set by the listener. */
  onSecure: ((socket: TLSSocket) => void) | null = null;
  /** Called when a handshake fails or times out (node destroys the socket). Set by the listener. */
  onHandshakeError: ((err: Error, socket: TLSSocket) => void) | null = null;

  /** The files the certificates, keys and CAs came from (watched for rotation). */
  files: readonly string[] = [];

  private constructor(
    /**
     * A tls.Server that never listens: the listener hands it raw connections (`emit('connection')`)
     * and it runs the handshake with this chain's certificates and policy, as node's https does.
     */
    readonly server: TlsServer,
    /** Ask the client for a certificate (a validation context is configured). */
    readonly requestCert: boolean,
    /** The client certificate is mandatory (`require_client_certificate`). */
    readonly requireCert: boolean,
    readonly alpn: readonly string[] | undefined,
    private readonly sans: SanVerifier | null,
  ) {}

  /** Compiles a chain's transport socket; throws with the reason when it cannot be served. */
  static compile(ts: TransportSocket): DownstreamTls {
    if (ts.name !== 'envoy.transport_sockets.tls' && ts.typed_config?.['@type'] !== DOWNSTREAM_TLS_TYPE) {
      throw new Error(`transport socket ${ts.name} is not supported (only envoy.transport_sockets.tls)`);
    }
    const cfg = ts.typed_config as DownstreamTlsContextConfig;
    const common = cfg.common_tls_context ?? {};
    if ((common.tls_certificate_sds_secret_configs ?? []).length > 0 || common.validation_context_sds_secret_config !== undefined) {
      throw new Error('SDS secret configs are not supported; the translator inlines secrets');
    }
    if (common.combined_validation_context !== undefined) throw new Error('combined_validation_context is not supported');
    const certs = common.tls_certificates ?? [];
    if (certs.length === 0) throw new Error('DownstreamTlsContext has no tls_certificates');
    const files: string[] = [];
    const cert: Buffer[] = [];
    const key: { pem: Buffer; passphrase?: string }[] = [];
    certs.forEach((c, i) => {
      cert.push(readDataSource(c.certificate_chain, `tls_certificates[${i}].certificate_chain`, files));
      const pem = readDataSource(c.private_key, `tls_certificates[${i}].private_key`, files);
      key.push(c.password ? { pem, passphrase: readDataSource(c.password, `tls_certificates[${i}].password`).toString() } : { pem });
    });
    const staples = certs.map((c, i) => (c.ocsp_staple !== undefined ? readDataSource(c.ocsp_staple, `tls_certificates[${i}].ocsp_staple`, files) : null));
    const staple = staples.find((x) => x !== null) ?? null;
    if (cfg.ocsp_staple_policy === 'MUST_STAPLE' && staples.some((x) => x === null)) {
      throw new Error('ocsp_staple_policy is MUST_STAPLE but a certificate has no ocsp_staple');
    }
    const vc = common.validation_context;
    const ca = vc?.trusted_ca !== undefined ? readDataSource(vc.trusted_ca, 'validation_context.trusted_ca', files) : undefined;
    const rcc = cfg.require_client_certificate;
    const requireCert = typeof rcc === 'boolean' ? rcc : rcc?.value === true;
    if (requireCert && ca === undefined) throw new Error('require_client_certificate is set but validation_context has no trusted_ca');
    const sans = SanVerifier.compile(vc);
    if (sans !== null && ca === undefined) throw new Error('subject alt name matchers need validation_context.trusted_ca');
    const alpn = common.alpn_protocols !== undefined && common.alpn_protocols.length > 0 ? common.alpn_protocols : undefined;
    let server: TlsServer;
    try {
      server = createServer({
        cert,
        key,
        ...(ca !== undefined ? { ca, ...(vc?.crl !== undefined ? { crl: readDataSource(vc.crl, 'validation_context.crl', files) } : {}) } : {}),
        ...tlsParamsOptions(common.tls_params, 'TLSv1.2'),
        requestCert: ca !== undefined,
        rejectUnauthorized: requireCert,
        ...(alpn !== undefined ? { ALPNProtocols: alpn } : {}),
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      });
    } catch (err) {
      throw new Error(`invalid certificate, key or TLS parameters: ${(err as Error).message}`);
    }
    const tls = new DownstreamTls(server, ca !== undefined, requireCert, alpn, sans);
    tls.files = files;
    server.on('secureConnection', (socket: TLSSocket) => {
      if (tls.onSecure === null) socket.destroy();
      else tls.onSecure(socket);
    });
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => tls.onHandshakeError?.(err, socket));
    if (staple !== null) {
      // Only clients that ask (status_request) trigger it; the others get no staple, as with Envoy.
      server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, resp?: Buffer) => void) => done(null, staple));
    }
    return tls;
  }

  /**
   * After the handshake: null when the connection may proceed, else why not. Checks what node's
   * `rejectUnauthorized: false` leaves to us: a presented certificate must verify, and the SANs.
   */
  verifyPeer(socket: TLSSocket): string | null {
    if (!this.requestCert) return null;
    const cert = socket.getPeerCertificate();
    const presented = cert !== null && cert !== undefined && Object.keys(cert).length > 0;
    if (!presented) return this.requireCert ? 'no client certificate' : null;
    if (!socket.authorized) return `client certificate rejected: ${String(socket.authorizationError)}`;
    return this.sans === null ? null : this.sans.verify(cert);
  }
}
