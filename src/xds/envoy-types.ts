/**
 * The Envoy v3 resources that travel from the control plane to the data plane, in the protobuf
 * *object* form that @grpc/proto-loader produces with `keepCase: true, enums: String, longs: String`:
 * snake_case field names, durations as `{seconds, nanos}`, wrapper types as `{value}`, enums by name,
 * `google.protobuf.Any` as `{'@type': url, ...fields}`.
 *
 * Only the subset gloo-ts emits today is typed here; every field name is Envoy's own, so a real
 * Envoy or a proxyless gRPC client reads the same objects (see docs/architecture.md).
 */

export const TYPE_URL = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  httpConnectionManager:
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
} as const;

export interface Duration {
  seconds: string | number;
  nanos?: number;
}
export interface UInt32Value {
  value: number;
}
export interface BoolValue {
  value: boolean;
}

export interface SocketAddress {
  address: string;
  port_value: number;
  ipv4_compat?: boolean;
}
export interface Address {
  socket_address?: SocketAddress;
  pipe?: { path: string };
}

// ---- Listener ---------------------------------------------------------------------------------

export interface HttpFilter {
  name: string;
  typed_config?: { '@type': string; [k: string]: unknown };
  is_optional?: boolean;
}

export interface HttpConnectionManager {
  '@type': typeof TYPE_URL.httpConnectionManager;
  stat_prefix: string;
  codec_type?: 'AUTO' | 'HTTP1' | 'HTTP2';
  rds?: { config_source: { ads: Record<string, never>; resource_api_version: 'V3' }; route_config_name: string };
  route_config?: RouteConfiguration;
  http_filters: HttpFilter[];
  use_remote_address?: BoolValue;
  xff_num_trusted_hops?: number;
  skip_xff_append?: boolean;
  generate_request_id?: BoolValue;
  server_name?: string;
  stream_idle_timeout?: Duration;
  request_timeout?: Duration;
  common_http_protocol_options?: { idle_timeout?: Duration };
  max_request_headers_kb?: UInt32Value;
}

export interface NetworkFilter {
  name: string;
  typed_config: HttpConnectionManager | { '@type': string; [k: string]: unknown };
}

export interface FilterChain {
  name?: string;
  filter_chain_match?: {
    server_names?: string[];
    transport_protocol?: string;
    source_prefix_ranges?: { address_prefix: string; prefix_len?: UInt32Value }[];
  };
  filters: NetworkFilter[];
}

export interface Listener {
  name: string;
  address: Address;
  filter_chains: FilterChain[];
  /** Set only on the proxyless-gRPC listeners (issue 4); the data plane ignores listeners that carry it. */
  api_listener?: { api_listener: HttpConnectionManager };
}

// ---- RouteConfiguration -----------------------------------------------------------------------

export interface RegexMatcher {
  google_re2?: Record<string, never>;
  regex: string;
}

export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  safe_regex?: RegexMatcher;
  contains?: string;
  ignore_case?: boolean;
}

export interface HeaderMatcher {
  name: string;
  exact_match?: string;
  safe_regex_match?: RegexMatcher;
  present_match?: boolean;
  string_match?: StringMatcher;
  invert_match?: boolean;
}

export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}

export interface RouteMatch {
  prefix?: string;
  path?: string;
  safe_regex?: RegexMatcher;
  connect_matcher?: Record<string, never>;
  case_sensitive?: BoolValue;
  headers?: HeaderMatcher[];
  query_parameters?: QueryParameterMatcher[];
}

export interface WeightedCluster {
  clusters: { name: string; weight: UInt32Value }[];
  total_weight?: UInt32Value;
}

export interface RouteAction {
  cluster?: string;
  weighted_clusters?: WeightedCluster;
  cluster_header?: string;
  prefix_rewrite?: string;
  regex_rewrite?: { pattern: RegexMatcher; substitution: string };
  host_rewrite_literal?: string;
  auto_host_rewrite?: BoolValue;
  timeout?: Duration;
  idle_timeout?: Duration;
  /** Status for requests to a cluster that does not exist (Envoy: 503 by default). */
  cluster_not_found_response_code?: 'SERVICE_UNAVAILABLE' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';
}

export interface RedirectAction {
  https_redirect?: boolean;
  scheme_redirect?: string;
  host_redirect?: string;
  port_redirect?: number;
  path_redirect?: string;
  prefix_rewrite?: string;
  response_code?: 'MOVED_PERMANENTLY' | 'FOUND' | 'SEE_OTHER' | 'TEMPORARY_REDIRECT' | 'PERMANENT_REDIRECT';
  strip_query?: boolean;
}

export interface DirectResponseAction {
  status: number;
  body?: { inline_string: string };
}

export interface HeaderValueOption {
  header: { key: string; value: string };
  /** Deprecated in Envoy v3 in favour of append_action, still accepted: false means overwrite. */
  append?: BoolValue;
  append_action?: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
}

export interface Route {
  name?: string;
  match: RouteMatch;
  route?: RouteAction;
  redirect?: RedirectAction;
  direct_response?: DirectResponseAction;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

export interface VirtualHost {
  name: string;
  domains: string[];
  routes: Route[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

export interface RouteConfiguration {
  name: string;
  virtual_hosts: VirtualHost[];
}

// ---- Cluster / endpoints ------------------------------------------------------------------------

export interface LbEndpoint {
  endpoint: { address: Address; hostname?: string };
  load_balancing_weight?: UInt32Value;
  health_status?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING';
}

export interface LocalityLbEndpoints {
  locality?: { region?: string; zone?: string; sub_zone?: string };
  lb_endpoints: LbEndpoint[];
  load_balancing_weight?: UInt32Value;
  priority?: number;
}

export interface ClusterLoadAssignment {
  cluster_name: string;
  endpoints: LocalityLbEndpoints[];
}

export interface Cluster {
  name: string;
  type?: 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
  eds_cluster_config?: { eds_config: { ads: Record<string, never>; resource_api_version: 'V3' }; service_name?: string };
  connect_timeout?: Duration;
  lb_policy?: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'RANDOM' | 'MAGLEV' | 'CLUSTER_PROVIDED';
  load_assignment?: ClusterLoadAssignment;
  dns_lookup_family?: 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  metadata?: { filter_metadata: Record<string, Record<string, unknown>> };
}

/** One consistent set of resources for one node key, as a proxy receives it. */
export interface XdsSnapshot {
  version: string;
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
}

export function durationFromMs(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function durationToMs(d: Duration | undefined): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds) * 1000 + (d.nanos ?? 0) / 1e6;
}
