/**
 * UpstreamSslConfig (gloo.solo.io): TLS origination to an upstream (§2.2.9), also used by
 * `httpConnectSslConfig` and failover endpoints.
 *
 * The pieces shared with downstream SslConfig (SslParameters, SslFiles, SDSConfig) come from `./ssl.ts`.
 */
import { str, bool, arr, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { notYetObj } from './field-support.js';
import { SDSConfig, SslFiles, SslParameters } from './ssl.js';

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
