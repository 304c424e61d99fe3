/**
 * The typed resource envelope every stage of the pipeline passes around, and resource keys.
 */
import type { KindName } from './kinds.js';
import type { GatewaySpec } from './kinds/gateway.js';
import type { VirtualServiceSpec } from './kinds/virtual-service.js';
import type { RouteTableSpec } from './kinds/route-table.js';
import type { UpstreamSpec } from './kinds/upstream.js';
import type { UpstreamGroupSpec } from './kinds/upstream-group.js';
import type { SettingsSpec } from './kinds/settings.js';
import type { ProxySpec } from './kinds/proxy.js';
import type { AuthConfigSpec } from './kinds/auth-config.js';
import type { RateLimitConfigSpec } from './kinds/rate-limit-config.js';
import type { SecretBody } from './kinds/secret.js';
import type { MatchableHttpGatewaySpec } from './kinds/matchable-http-gateway.js';
import type { MatchableTcpGatewaySpec } from './kinds/matchable-tcp-gateway.js';
import type { VirtualHostOptionSpec } from './kinds/virtual-host-option.js';
import type { RouteOptionSpec } from './kinds/route-option.js';
import type { SupportLevel } from './schema.js';

export interface Metadata {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
}

/** Where a resource was read from: `file` and 1-based `line` of its first line. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface UnsupportedField {
  /** Display path relative to the spec, e.g. `virtualHost.routes[0].options.cors`. */
  path: string;
  level: SupportLevel;
  note?: string | undefined;
}

export interface SpecByKind {
  Gateway: GatewaySpec;
  VirtualService: VirtualServiceSpec;
  RouteTable: RouteTableSpec;
  Upstream: UpstreamSpec;
  UpstreamGroup: UpstreamGroupSpec;
  Settings: SettingsSpec;
  Proxy: ProxySpec;
  AuthConfig: AuthConfigSpec;
  RateLimitConfig: RateLimitConfigSpec;
  Secret: SecretBody;
  MatchableHttpGateway: MatchableHttpGatewaySpec;
  MatchableTcpGateway: MatchableTcpGatewaySpec;
  VirtualHostOption: VirtualHostOptionSpec;
  RouteOption: RouteOptionSpec;
}

/**
 * A validated resource. Example:
 *   { kind: 'Upstream', apiVersion: 'gloo.solo.io/v1', metadata: {name: 'petstore', namespace: 'gloo-system'},
 *     spec: {static: {hosts: [{addr: '127.0.0.1', port: 8080}]}}, source: {file: 'upstreams.yaml', line: 1}, unsupported: [] }
 */
export interface Resource<K extends KindName = KindName> {
  kind: K;
  apiVersion: string;
  metadata: Metadata;
  spec: SpecByKind[K];
  /** The status as read from the input (user-written statuses are informational only). */
  status?: unknown;
  source?: SourceLocation;
  unsupported: UnsupportedField[];
}

export type AnyResource = { [K in KindName]: Resource<K> }[KindName];

/** `namespace.name`, the key Gloo prints in statuses and errors. */
export function resourceKey(r: { metadata: { name: string; namespace: string } }): string {
  return `${r.metadata.namespace}.${r.metadata.name}`;
}

/** `Kind namespace.name`, unique across kinds. */
export function resourceId(r: { kind: string; metadata: { name: string; namespace: string } }): string {
  return `${r.kind} ${r.metadata.namespace}.${r.metadata.name}`;
}

/** The namespace Gloo writes to and reads Gateways from by default. */
export const DEFAULT_NAMESPACE = 'gloo-system';
