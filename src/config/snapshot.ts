/**
 * ApiSnapshot: the typed, immutable set of resources a config source publishes, and the problems it
 * met while reading them. Every later stage reads only this.
 */
import type { Resource } from '../api/resource.js';
import type { LoadError } from '../api/load.js';

export interface ApiSnapshot {
  gateways: Resource<'Gateway'>[];
  virtualServices: Resource<'VirtualService'>[];
  routeTables: Resource<'RouteTable'>[];
  upstreams: Resource<'Upstream'>[];
  upstreamGroups: Resource<'UpstreamGroup'>[];
  settings: Resource<'Settings'>[];
  proxies: Resource<'Proxy'>[];
  authConfigs: Resource<'AuthConfig'>[];
  rateLimitConfigs: Resource<'RateLimitConfig'>[];
  secrets: Resource<'Secret'>[];
  matchableHttpGateways: Resource<'MatchableHttpGateway'>[];
  matchableTcpGateways: Resource<'MatchableTcpGateway'>[];
  virtualHostOptions: Resource<'VirtualHostOption'>[];
  routeOptions: Resource<'RouteOption'>[];
  /**
   * Problems found reading the sources. An error that names a resource (`resource` set) means that
   * resource's newest version could not be used: the snapshot holds its last good version (if any)
   * and the resource is reported Rejected with this error. Others (a file that does not parse, an
   * unknown kind) are reported by `glooctl check`, the admin API and the logs.
   */
  errors: LoadError[];
}

export function emptySnapshot(): ApiSnapshot {
  return {
    gateways: [],
    virtualServices: [],
    routeTables: [],
    upstreams: [],
    upstreamGroups: [],
    settings: [],
    proxies: [],
    authConfigs: [],
    rateLimitConfigs: [],
    secrets: [],
    matchableHttpGateways: [],
    matchableTcpGateways: [],
    virtualHostOptions: [],
    routeOptions: [],
    errors: [],
  };
}

/** Field of ApiSnapshot holding each kind. */
export const SNAPSHOT_FIELD = {
  Gateway: 'gateways',
  VirtualService: 'virtualServices',
  RouteTable: 'routeTables',
  Upstream: 'upstreams',
  UpstreamGroup: 'upstreamGroups',
  Settings: 'settings',
  Proxy: 'proxies',
  AuthConfig: 'authConfigs',
  RateLimitConfig: 'rateLimitConfigs',
  Secret: 'secrets',
  MatchableHttpGateway: 'matchableHttpGateways',
  MatchableTcpGateway: 'matchableTcpGateways',
  VirtualHostOption: 'virtualHostOptions',
  RouteOption: 'routeOptions',
} as const satisfies Record<Resource['kind'], keyof ApiSnapshot>;

/** A source of configuration (directory, Kubernetes, etcd …). */
export interface ConfigSource {
  /** Starts reading; `onSnapshot` is called with the first snapshot and after every change (bursts coalesced). */
  start(onSnapshot: (snapshot: ApiSnapshot) => void): Promise<void>;
  stop(): Promise<void>;
}
