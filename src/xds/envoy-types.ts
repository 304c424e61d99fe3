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
  // Typed configs of the features of the gloo translator's plugins (issue 4).
  fault: 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
  cors: 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors',
  corsPolicy: 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
  grpcWeb: 'type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb',
  healthCheck: 'type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck',
  buffer: 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer',
  bufferPerRoute: 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute',
  csrf: 'type.googleapis.com/envoy.extensions.filters.http.csrf.v3.CsrfPolicy',
  compressor: 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor',
  gzip: 'type.googleapis.com/envoy.extensions.compression.gzip.compressor.v3.Gzip',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  sniCluster: 'type.googleapis.com/envoy.extensions.filters.network.sni_cluster.v3.SniCluster',
  tlsInspector: 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  upstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  downstreamTlsContext: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  fileAccessLog: 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
  upstreamHttpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  typedStruct: 'type.googleapis.com/xds.type.v3.TypedStruct',
} as const;

/** A `google.protobuf.Any` in the object form: `{'@type': url, ...fields of the packed message}`. */
export interface TypedConfig {
  '@type': string;
  [k: string]: unknown;
}

/** `google.protobuf.Value` in protobufjs' object form (its built-in Struct types use camelCase members). */
export type StructValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: Struct }
  | { listValue: { values: StructValue[] } };

/** `google.protobuf.Struct` in the object form: `{fields: {key: {stringValue: 'v'}}}` — not free JSON. */
export interface Struct {
  fields: Record<string, StructValue>;
}

/** Free JSON → a Struct value (undefined members dropped). Example: `toStructValue(1)` is `{numberValue: 1}`. */
export function toStructValue(v: unknown): StructValue {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toStructValue) } };
  if (typeof v === 'object') return { structValue: toStruct(v as Record<string, unknown>) };
  return { stringValue: String(v) };
}

/** Free JSON object → Struct. Example: `toStruct({a: 'x'})` is `{fields: {a: {stringValue: 'x'}}}`. */
export function toStruct(o: Record<string, unknown>): Struct {
  const fields: Record<string, StructValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) fields[k] = toStructValue(v);
  return { fields };
}

/** `envoy.type.v3.FractionalPercent`; a numerator of 0 is left out (the proto3 default). */
export interface FractionalPercent {
  numerator?: number;
  denominator?: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

/** `envoy.config.core.v3.RuntimeFractionalPercent`. */
export interface RuntimeFractionalPercent {
  default_value: FractionalPercent;
  runtime_key?: string;
}

/** `envoy.config.core.v3.Metadata`: filter namespace → Struct. */
export interface Metadata {
  filter_metadata: Record<string, Struct>;
}

/** `envoy.config.core.v3.DataSource`: one of a file name or inline content. */
export interface DataSource {
  filename?: string;
  inline_string?: string;
  inline_bytes?: string;
}

/** `envoy.config.core.v3.TransportSocket`, e.g. `{name: 'envoy.transport_sockets.tls', typed_config: UpstreamTlsContext}`. */
export interface TransportSocket {
  name: string;
  typed_config: TypedConfig;
}

/** `envoy.config.accesslog.v3.AccessLog`. */
export interface AccessLog {
  name: string;
  typed_config: TypedConfig;
  filter?: AccessLogFilter;
}

/** `envoy.config.accesslog.v3.ComparisonFilter`. */
export interface ComparisonFilter {
  op?: 'EQ' | 'GE' | 'LE';
  value?: RuntimeUInt32;
}

/** `envoy.config.core.v3.RuntimeUInt32`. */
export interface RuntimeUInt32 {
  default_value?: number;
  runtime_key?: string;
}

/** `envoy.config.accesslog.v3.AccessLogFilter` (one member set). */
export interface AccessLogFilter {
  status_code_filter?: { comparison: ComparisonFilter };
  duration_filter?: { comparison: ComparisonFilter };
  not_health_check_filter?: Record<string, never>;
  traceable_filter?: Record<string, never>;
  runtime_filter?: { runtime_key: string; percent_sampled?: FractionalPercent; use_independent_randomness?: boolean };
  and_filter?: { filters: AccessLogFilter[] };
  or_filter?: { filters: AccessLogFilter[] };
  header_filter?: { header: HeaderMatcher };
  response_flag_filter?: { flags?: string[] };
  grpc_status_filter?: { statuses?: string[]; exclude?: boolean };
  extension_filter?: { name: string; typed_config?: TypedConfig };
}

/** `envoy.config.core.v3.SubstitutionFormatString` (the members this data plane reads). */
export interface SubstitutionFormatString {
  text_format?: string;
  text_format_source?: DataSource;
  json_format?: Struct;
  omit_empty_values?: boolean;
  content_type?: string;
}

/** `envoy.extensions.access_loggers.file.v3.FileAccessLog`. */
export interface FileAccessLog {
  '@type': typeof TYPE_URL.fileAccessLog;
  path: string;
  /** Legacy text format (deprecated in Envoy, still accepted). */
  format?: string;
  /** Legacy JSON format (deprecated in Envoy, still accepted). */
  json_format?: Struct;
  log_format?: SubstitutionFormatString;
}

/** `envoy.extensions.filters.http.fault.v3.FaultAbort`. */
export interface FaultAbort {
  http_status?: number;
  grpc_status?: number;
  header_abort?: Record<string, never>;
  percentage?: FractionalPercent;
}

/** `envoy.extensions.filters.common.fault.v3.FaultDelay`. */
export interface FaultDelay {
  fixed_delay?: Duration;
  header_delay?: Record<string, never>;
  percentage?: FractionalPercent;
}

/** `envoy.extensions.filters.http.fault.v3.HTTPFault` (filter config and per-route override). */
export interface HTTPFault {
  '@type'?: string;
  delay?: FaultDelay;
  abort?: FaultAbort;
  upstream_cluster?: string;
  headers?: HeaderMatcher[];
  max_active_faults?: UInt32Value;
}

/** `envoy.extensions.filters.http.health_check.v3.HealthCheck`. */
export interface HealthCheckFilter {
  '@type'?: string;
  pass_through_mode?: BoolValue;
  headers?: HeaderMatcher[];
  cache_time?: Duration;
}

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
  disabled?: boolean;
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
  common_http_protocol_options?: {
    idle_timeout?: Duration;
    max_connection_duration?: Duration;
    max_headers_count?: UInt32Value;
    max_stream_duration?: Duration;
    headers_with_underscores_action?: 'ALLOW' | 'REJECT_REQUEST' | 'DROP_HEADER';
    max_requests_per_connection?: UInt32Value;
  };
  max_request_headers_kb?: UInt32Value;
  via?: string;
  request_headers_timeout?: Duration;
  drain_timeout?: Duration;
  delayed_close_timeout?: Duration;
  preserve_external_request_id?: boolean;
  normalize_path?: BoolValue;
  merge_slashes?: boolean;
  strip_any_host_port?: boolean;
  proxy_100_continue?: boolean;
  forward_client_cert_details?: 'SANITIZE' | 'FORWARD_ONLY' | 'APPEND_FORWARD' | 'SANITIZE_SET' | 'ALWAYS_FORWARD_ONLY';
  set_current_client_cert_details?: { subject?: BoolValue; cert?: boolean; chain?: boolean; dns?: boolean; uri?: boolean };
  server_header_transformation?: 'OVERWRITE' | 'APPEND_IF_ABSENT' | 'PASS_THROUGH';
  path_with_escaped_slashes_action?: string;
  append_x_forwarded_port?: boolean;
  http_protocol_options?: Http1ProtocolOptions;
  http2_protocol_options?: Http2ProtocolOptions;
  upgrade_configs?: { upgrade_type: string; enabled?: BoolValue; connect_config?: Record<string, never> }[];
  access_log?: AccessLog[];
}

/** `envoy.config.core.v3.Http1ProtocolOptions` (the fields gloo-ts emits). */
export interface Http1ProtocolOptions {
  accept_http_10?: boolean;
  default_host_for_http_10?: string;
  header_key_format?: { proper_case_words: Record<string, never> };
  enable_trailers?: boolean;
  allow_chunked_length?: boolean;
  override_stream_error_on_invalid_http_message?: BoolValue;
}

/** `envoy.config.core.v3.Http2ProtocolOptions` (the fields gloo-ts emits). */
export interface Http2ProtocolOptions {
  max_concurrent_streams?: UInt32Value;
  initial_stream_window_size?: UInt32Value;
  initial_connection_window_size?: UInt32Value;
  override_stream_error_on_invalid_http_message?: BoolValue;
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
  /** TLS termination (`envoy.transport_sockets.tls` with a DownstreamTlsContext); absent: plain TCP. */
  transport_socket?: TransportSocket;
  transport_socket_connect_timeout?: Duration;
}

export interface Listener {
  name: string;
  address: Address;
  filter_chains: FilterChain[];
  /** e.g. `envoy.filters.listener.tls_inspector`, which reads the SNI the chains match on. */
  listener_filters?: { name: string; typed_config?: TypedConfig }[];
  per_connection_buffer_limit_bytes?: UInt32Value;
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

/** One cluster of a weighted split, with the edits of its WeightedDestinationOptions. */
export interface ClusterWeight {
  name: string;
  weight: UInt32Value;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  typed_per_filter_config?: Record<string, TypedConfig>;
  /** Subset selection (`filter_metadata['envoy.lb']`), merged over the route action's. */
  metadata_match?: Metadata;
}

export interface WeightedCluster {
  clusters: ClusterWeight[];
  total_weight?: UInt32Value;
}

/** `envoy.config.route.v3.RetryPolicy` (the fields gloo-ts emits). */
export interface RetryPolicy {
  retry_on?: string;
  num_retries?: UInt32Value;
  per_try_timeout?: Duration;
  retriable_status_codes?: number[];
  retry_back_off?: { base_interval: Duration; max_interval?: Duration };
  rate_limited_retry_back_off?: { reset_headers: { name: string; format?: 'SECONDS' | 'UNIX_TIMESTAMP' }[]; max_interval?: Duration };
}

/** `envoy.config.route.v3.RouteAction.HashPolicy`: one key source, plus `terminal`. */
export interface HashPolicy {
  header?: { header_name: string };
  cookie?: { name: string; ttl?: Duration; path?: string };
  connection_properties?: { source_ip: boolean };
  query_parameter?: { name: string };
  filter_state?: { key: string };
  terminal?: boolean;
}

/** `envoy.config.route.v3.RouteAction.RequestMirrorPolicy`. */
export interface RequestMirrorPolicy {
  cluster: string;
  runtime_fraction?: RuntimeFractionalPercent;
  disable_shadow_host_suffix_append?: boolean;
}

export interface RouteAction {
  cluster?: string;
  weighted_clusters?: WeightedCluster;
  cluster_header?: string;
  prefix_rewrite?: string;
  regex_rewrite?: { pattern: RegexMatcher; substitution: string };
  host_rewrite_literal?: string;
  auto_host_rewrite?: BoolValue;
  host_rewrite_path_regex?: { pattern: RegexMatcher; substitution: string };
  host_rewrite_header?: string;
  append_x_forwarded_host?: boolean;
  timeout?: Duration;
  idle_timeout?: Duration;
  retry_policy?: RetryPolicy;
  hash_policy?: HashPolicy[];
  /** Subset selection: the endpoint metadata (`filter_metadata['envoy.lb']`) a host must match. */
  metadata_match?: Metadata;
  request_mirror_policies?: RequestMirrorPolicy[];
  upgrade_configs?: { upgrade_type: string; enabled?: BoolValue; connect_config?: Record<string, never> }[];
  max_stream_duration?: { max_stream_duration?: Duration; grpc_timeout_header_max?: Duration; grpc_timeout_header_offset?: Duration };
  /** Deprecated (Envoy reads it when `max_stream_duration` is absent): gRPC requests use `grpc-timeout`, capped here (0: no cap). */
  max_grpc_timeout?: Duration;
  /** Deprecated: subtracted from `grpc-timeout` when it is larger (with `max_grpc_timeout`). */
  grpc_timeout_offset?: Duration;
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
  /** `envoyMetadata`: filter namespace → Struct. */
  metadata?: Metadata;
  /** Per-filter config by HTTP filter name, e.g. `envoy.filters.http.fault` → HTTPFault. */
  typed_per_filter_config?: Record<string, TypedConfig>;
}

export interface VirtualHost {
  name: string;
  domains: string[];
  routes: Route[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  retry_policy?: RetryPolicy;
  typed_per_filter_config?: Record<string, TypedConfig>;
  include_request_attempt_count?: boolean;
  include_attempt_count_in_response?: boolean;
}

export interface RouteConfiguration {
  name: string;
  virtual_hosts: VirtualHost[];
}

// ---- Cluster / endpoints ------------------------------------------------------------------------

export interface LbEndpoint {
  endpoint: { address: Address; hostname?: string };
  /** e.g. `{filter_metadata: {'envoy.transport_socket_match': {fields: {sni: …}}}}` for per-host SNI. */
  metadata?: Metadata;
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
  /** Overprovisioning factor in percent (default 140) and whether priority health counts weights. */
  policy?: { overprovisioning_factor?: UInt32Value; weighted_priority_health?: boolean };
}

export interface Cluster {
  name: string;
  type?: 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
  eds_cluster_config?: { eds_config: { ads: Record<string, never>; resource_api_version: 'V3' }; service_name?: string };
  connect_timeout?: Duration;
  lb_policy?: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'RANDOM' | 'MAGLEV' | 'CLUSTER_PROVIDED';
  load_assignment?: ClusterLoadAssignment;
  dns_lookup_family?: 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  metadata?: Metadata;
  dns_refresh_rate?: Duration;
  respect_dns_ttl?: boolean;
  per_connection_buffer_limit_bytes?: UInt32Value;
  upstream_connection_options?: { tcp_keepalive: { keepalive_probes?: UInt32Value; keepalive_time?: UInt32Value; keepalive_interval?: UInt32Value } };
  /** By extension name, e.g. `envoy.extensions.upstreams.http.v3.HttpProtocolOptions`. */
  typed_extension_protocol_options?: Record<string, TypedConfig>;
  least_request_lb_config?: {
    choice_count?: UInt32Value;
    slow_start_config?: SlowStartConfig;
    active_request_bias?: { default_value: number; runtime_key: string };
  };
  round_robin_lb_config?: { slow_start_config?: SlowStartConfig };
  ring_hash_lb_config?: { minimum_ring_size?: { value: string | number }; maximum_ring_size?: { value: string | number } };
  maglev_lb_config?: { table_size?: { value: string | number } };
  lb_subset_config?: LbSubsetConfig;
  common_lb_config?: {
    healthy_panic_threshold?: { value: number };
    update_merge_window?: Duration;
    locality_weighted_lb_config?: Record<string, never>;
    consistent_hashing_lb_config?: { use_hostname_for_hashing: boolean };
    close_connections_on_host_set_change?: boolean;
  };
  /** Envoy HealthCheck messages (kept loose: http / tcp / grpc checkers and their many knobs). */
  health_checks?: Record<string, unknown>[];
  outlier_detection?: Record<string, unknown>;
  circuit_breakers?: {
    thresholds: { max_connections?: UInt32Value; max_pending_requests?: UInt32Value; max_requests?: UInt32Value; max_retries?: UInt32Value; track_remaining?: boolean }[];
  };
  transport_socket?: TransportSocket;
  /** Per-endpoint transport sockets, chosen by the endpoint's `envoy.transport_socket_match` metadata. */
  transport_socket_matches?: { name: string; match: Struct; transport_socket: TransportSocket }[];
  ignore_health_on_host_removal?: boolean;
}

/** `envoy.config.cluster.v3.Cluster.LbSubsetConfig`: endpoint subsets keyed on `envoy.lb` metadata. */
export interface LbSubsetConfig {
  fallback_policy?: 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET';
  default_subset?: Struct;
  subset_selectors?: {
    keys?: string[];
    single_host_per_subset?: boolean;
    fallback_policy?: 'NOT_DEFINED' | 'NO_FALLBACK' | 'ANY_ENDPOINT' | 'DEFAULT_SUBSET' | 'KEYS_SUBSET';
    fallback_keys_subset?: string[];
  }[];
  /** When a fallback subset has no host either, balance over the whole cluster. */
  panic_mode_any?: boolean;
}

/** `envoy.config.cluster.v3.Cluster.SlowStartConfig`. */
export interface SlowStartConfig {
  slow_start_window?: Duration;
  aggression?: { default_value: number; runtime_key: string };
  min_weight_percent?: { value: number };
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
