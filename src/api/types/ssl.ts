/**
 * Downstream TLS (gloo.solo.io SslConfig): the server side of TLS on a VirtualService, a TCP host or a
 * hybrid/matchable gateway matcher; and the pieces the upstream side (UpstreamSslConfig) reuses.
 *
 * Example:
 *   sslConfig:
 *     secretRef: {name: gateway-tls, namespace: gloo-system}
 *     sniDomains: [example.com]
 *     parameters: {minimumProtocolVersion: TLSv1_2}
 */
import { str, bool, arr, duration, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { notYetObj } from './field-support.js';

/** `{tlsCert, tlsKey, rootCa, ocspStaple}`: file paths on the proxy's disk (proto SSLFiles). */
export const SslFiles = notYetObj('ignored', {
  tlsCert: str(),
  tlsKey: str(),
  rootCa: str(),
  ocspStaple: str(),
});
export type SslFiles = Infer<typeof SslFiles>;

export const CallCredentials = notYetObj('ignored', {
  fileCredentialSource: notYetObj('ignored', { tokenFileName: str(), header: str() }),
});

/** Certificates served over SDS: `{targetUri, callCredentials | clusterName, certificatesSecretName, validationContextName}`. */
export const SDSConfig = notYetObj(
  'ignored',
  {
    targetUri: str(),
    callCredentials: CallCredentials,
    clusterName: str(),
    certificatesSecretName: str(),
    validationContextName: str(),
  },
  { oneofs: [['callCredentials', 'clusterName']] },
);
export type SDSConfig = Infer<typeof SDSConfig>;

/** TLS protocol versions, in proto order (`TLS_AUTO` = 0 … `TLSv1_3` = 4). */
export const TlsProtocolVersion = enumOf(['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const);

/** `{minimumProtocolVersion, maximumProtocolVersion, cipherSuites[], ecdhCurves[]}`. */
export const SslParameters = notYetObj('ignored', {
  minimumProtocolVersion: TlsProtocolVersion,
  maximumProtocolVersion: TlsProtocolVersion,
  cipherSuites: arr(str()),
  ecdhCurves: arr(str()),
});
export type SslParameters = Infer<typeof SslParameters>;

/**
 * Downstream TLS. Secret oneof `secretRef | sslFiles | sds`; `sniDomains` are the filter chain's
 * server names (empty ⇒ catch-all chain); with a `ca.crt` in the secret client certificates are
 * required unless `oneWayTls`.
 */
export const SslConfig = notYetObj(
  'ignored',
  {
    secretRef: ResourceRef,
    sslFiles: SslFiles,
    sds: SDSConfig,
    sniDomains: arr(str()),
    verifySubjectAltName: arr(str()),
    parameters: SslParameters,
    alpnProtocols: arr(str()),
    oneWayTls: bool(),
    disableTlsSessionResumption: bool(),
    transportSocketConnectTimeout: duration(),
    ocspStaplePolicy: enumOf(['LENIENT_STAPLING', 'STRICT_STAPLING', 'MUST_STAPLE'] as const),
  },
  { oneofs: [['secretRef', 'sslFiles', 'sds']] },
);
export type SslConfig = Infer<typeof SslConfig>;
