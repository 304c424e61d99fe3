/**
 * MatchableHttpGateway (gateway.solo.io/v1): one HTTP filter chain (matcher: SNI/TLS + source CIDRs)
 * that a Gateway's `hybridGateway.delegatedHttpGateways` selects, so teams can own filter chains
 * separately from listeners. Loaded and validated; not served yet.
 *
 * Example:
 *   matcher: {sourcePrefixRanges: [{addressPrefix: 10.0.0.0, prefixLen: 8}]}
 *   httpGateway: {virtualServiceSelector: {team: a}}
 */
import { obj, arr, type Infer } from '../schema.js';
import { CidrRange } from '../types/matchers.js';
import { SslConfig } from '../types/ssl.js';
import { notYetObj } from '../types/field-support.js';
import { HttpGateway } from './gateway.js';

const NOT_SERVED = 'MatchableHttpGateways are loaded but not served yet (hybrid gateways are not implemented)';

export const MatchableHttpGatewayMatcher = notYetObj('ignored', {
  sourcePrefixRanges: arr(CidrRange),
  sslConfig: SslConfig,
});

export const MatchableHttpGatewaySpec = obj({
  matcher: MatchableHttpGatewayMatcher.notYet(NOT_SERVED),
  httpGateway: HttpGateway.notYet(NOT_SERVED),
});
export type MatchableHttpGatewaySpec = Infer<typeof MatchableHttpGatewaySpec>;
