/**
 * MatchableTcpGateway (gateway.solo.io/v1): one TCP proxy filter chain (matcher: SNI/TLS + source
 * CIDRs) that a Gateway's `hybridGateway.delegatedTcpGateways` selects. Loaded and validated; not
 * served yet.
 *
 * Example:
 *   matcher: {sslConfig: {sniDomains: [db.example.com], secretRef: {name: db-tls, namespace: gloo-system}}}
 *   tcpGateway: {tcpHosts: [{name: db, destination: {single: {upstream: {name: db, namespace: gloo-system}}}}]}
 */
import { obj, str, arr, type Infer } from '../schema.js';
import { CidrRange } from '../types/matchers.js';
import { SslConfig } from '../types/ssl.js';
import { notYetObj } from '../types/field-support.js';
import { TcpGateway } from './gateway.js';

const NOT_SERVED = 'MatchableTcpGateways are loaded but not served yet (hybrid gateways are not implemented)';

export const MatchableTcpGatewayMatcher = notYetObj('ignored', {
  sourcePrefixRanges: arr(CidrRange),
  sslConfig: SslConfig,
  passthroughCipherSuites: arr(str()),
});

export const MatchableTcpGatewaySpec = obj({
  matcher: MatchableTcpGatewayMatcher.notYet(NOT_SERVED),
  tcpGateway: TcpGateway.notYet(NOT_SERVED),
});
export type MatchableTcpGatewaySpec = Infer<typeof MatchableTcpGatewaySpec>;
