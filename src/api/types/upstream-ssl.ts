/**
 * UpstreamSslConfig (gloo.solo.io): TLS origination to an upstream (§2.2.9), also used by
 * `httpConnectSslConfig` and failover endpoints.
 *
 * The downstream SslConfig pieces (SslParameters, SslFiles, SDSConfig) belong in `./ssl.ts`; until
 * that file exists they are defined here with the same shapes, and this file re-exports them.
 */
import { str, bool, arr, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { notYetObj } from './upstream-common.js';

/** `{minimumProtocolVersion, maximumProtocolVersion, cipherSuites[], ecdhCurves[]}`. */
export const SslParameters = notYetObj('ignored', {
  minimumProtocolVersion: enumOf(['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const),
  maximumProtocolVersion: enumOf(['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const),
  cipherSuites: arr(str()),
  ecdhCurves: arr(str()),
});
export type SslParameters = Infer<typeof SslParameters>;

/** `{tlsCert, tlsKey, rootCa, ocspStaple}`: file paths inside the proxy. */
export const SslFiles = notYetObj('ignored', { tlsCert: str(), tlsKey: str(), rootCa: str(), ocspStaple: str() });
export type SslFiles = Infer<typeof SslFiles>;

/** `{targetUri, callCredentials | clusterName, certificatesSecretName, validationContextName}`. */
export const SDSConfig = notYetObj(
  'ignored',
  {
    targetUri: str(),
    callCredentials: notYetObj('ignored', {
      fileCredentialSource: notYetObj('ignored', { tokenFileName: str(), header: str() }),
    }),
    clusterName: str(),
    certificatesSecretName: str(),
    validationContextName: str(),
  },
  { oneofs: [['callCredentials', 'clusterName']] },
);
export type SDSConfig = Infer<typeof SDSConfig>;

/**
 * Example: `{secretRef: {name: upstream-tls, namespace: gloo-system}, sni: api.example.com,
 * alpnProtocols: [h2]}`. Secret source oneof: secretRef | sslFiles | sds.
 */
export const UpstreamSslConfig = notYetObj(
  'ignored: upstream TLS is not implemented yet',
  {
    secretRef: ResourceRef,
    sslFiles: SslFiles,
    sds: SDSConfig,
    sni: str(),
    verifySubjectAltName: arr(str()),
    parameters: SslParameters,
    alpnProtocols: arr(str()),
    allowRenegotiation: bool(),
    oneWayTls: bool(),
  },
  { oneofs: [['secretRef', 'sslFiles', 'sds']] },
);
export type UpstreamSslConfig = Infer<typeof UpstreamSslConfig>;
