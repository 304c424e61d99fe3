/**
 * The registry of every kind a user writes: group/version, plural (the directory name in Gloo's
 * file layout), short names (as glooctl and kubectl accept them) and the schema of its spec.
 */
import type { Schema } from './schema.js';
import { GatewaySpec } from './kinds/gateway.js';
import { VirtualServiceSpec } from './kinds/virtual-service.js';
import { RouteTableSpec } from './kinds/route-table.js';
import { UpstreamSpec } from './kinds/upstream.js';
import { UpstreamGroupSpec } from './kinds/upstream-group.js';
import { SettingsSpec } from './kinds/settings.js';
import { ProxySpec } from './kinds/proxy.js';
import { AuthConfigSpec } from './kinds/auth-config.js';
import { RateLimitConfigSpec } from './kinds/rate-limit-config.js';
import { SecretBody } from './kinds/secret.js';
import { MatchableHttpGatewaySpec } from './kinds/matchable-http-gateway.js';
import { MatchableTcpGatewaySpec } from './kinds/matchable-tcp-gateway.js';
import { VirtualHostOptionSpec } from './kinds/virtual-host-option.js';
import { RouteOptionSpec } from './kinds/route-option.js';

export type KindName =
  | 'Gateway'
  | 'VirtualService'
  | 'RouteTable'
  | 'Upstream'
  | 'UpstreamGroup'
  | 'Settings'
  | 'Proxy'
  | 'AuthConfig'
  | 'RateLimitConfig'
  | 'Secret'
  | 'MatchableHttpGateway'
  | 'MatchableTcpGateway'
  | 'VirtualHostOption'
  | 'RouteOption';

export interface KindInfo {
  kind: KindName;
  group: string;
  version: string;
  /** `group/version`, or `v1` for the core group. */
  apiVersion: string;
  plural: string;
  singular: string;
  shortNames: string[];
  schema: Schema<any>;
  /** `namespaced`: Gloo's `status.statuses.<ns>`; `skv2`: `{state, message, observedGeneration}`; `none`. */
  statusModel: 'namespaced' | 'skv2' | 'none';
  /** Secret keeps its fields at the top level, not under `spec`. */
  topLevelBody?: boolean;
}

function kind(
  k: KindName,
  group: string,
  version: string,
  plural: string,
  shortNames: string[],
  schema: Schema<any>,
  statusModel: KindInfo['statusModel'] = 'namespaced',
  topLevelBody = false,
): KindInfo {
  return {
    kind: k,
    group,
    version,
    apiVersion: group ? `${group}/${version}` : version,
    plural,
    singular: k.toLowerCase(),
    shortNames,
    schema,
    statusModel,
    topLevelBody,
  };
}

export const KINDS: readonly KindInfo[] = [
  kind('Gateway', 'gateway.solo.io', 'v1', 'gateways', ['gw', 'ggw'], GatewaySpec),
  kind('VirtualService', 'gateway.solo.io', 'v1', 'virtualservices', ['vs', 'gvs'], VirtualServiceSpec),
  kind('RouteTable', 'gateway.solo.io', 'v1', 'routetables', ['rt', 'grt'], RouteTableSpec),
  kind('Upstream', 'gloo.solo.io', 'v1', 'upstreams', ['us', 'gus'], UpstreamSpec),
  kind('UpstreamGroup', 'gloo.solo.io', 'v1', 'upstreamgroups', ['ug', 'gug'], UpstreamGroupSpec),
  kind('Settings', 'gloo.solo.io', 'v1', 'settings', ['st', 'gst'], SettingsSpec),
  kind('Proxy', 'gloo.solo.io', 'v1', 'proxies', ['px', 'gpx'], ProxySpec),
  kind('AuthConfig', 'enterprise.gloo.solo.io', 'v1', 'authconfigs', ['ac', 'gac'], AuthConfigSpec),
  kind('RateLimitConfig', 'ratelimit.solo.io', 'v1alpha1', 'ratelimitconfigs', ['rlc', 'grlc'], RateLimitConfigSpec, 'skv2'),
  kind('Secret', '', 'v1', 'secrets', [], SecretBody, 'none', true),
  kind('MatchableHttpGateway', 'gateway.solo.io', 'v1', 'httpgateways', ['hgw'], MatchableHttpGatewaySpec),
  kind('MatchableTcpGateway', 'gateway.solo.io', 'v1', 'tcpgateways', ['tgw'], MatchableTcpGatewaySpec),
  kind('VirtualHostOption', 'gateway.solo.io', 'v1', 'virtualhostoptions', ['vhopts', 'vho'], VirtualHostOptionSpec),
  kind('RouteOption', 'gateway.solo.io', 'v1', 'routeoptions', ['rtopts', 'rto'], RouteOptionSpec),
];

const byName = new Map<string, KindInfo>();
for (const k of KINDS) {
  for (const alias of [k.kind.toLowerCase(), k.plural, k.singular, ...k.shortNames]) byName.set(alias, k);
}

/** Looks a kind up by kind name, plural, singular or short name (case-insensitive). */
export function findKind(name: string): KindInfo | undefined {
  return byName.get(name.toLowerCase());
}

export function kindInfo(k: KindName): KindInfo {
  return byName.get(k.toLowerCase())!;
}
