/**
 * The ADS wire contract shared by the server, the gRPC client and the tests: the gRPC service
 * definition of `envoy.service.discovery.v3.AggregatedDiscoveryService` (loaded with
 * @grpc/proto-loader from the real Envoy protos), the message shapes as proto-loader hands them over
 * (`keepCase`, `longs: String`, `enums: String`, `defaults: true`, `oneofs: true`), and the small
 * helpers both ends need (the node key in `node.metadata.role`, short type names).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoIncludeDirs } from '../protos.js';
import { TYPE_URL } from '../envoy-types.js';

/** `google.protobuf.Any` as proto-loader carries it: the type URL and the encoded message. */
export interface AnyMessage {
  type_url: string;
  value: Buffer | Uint8Array;
}

/** `google.rpc.Status`, the `error_detail` of a NACK. */
export interface RpcStatus {
  code: number;
  message: string;
  details?: AnyMessage[];
}

/**
 * `google.protobuf.Value`/`Struct` in proto form (not the JSON mapping). protobufjs' built-in copy of
 * struct.proto has camelCase field names (`stringValue`) whatever `keepCase` says.
 */
export interface StructValue {
  stringValue?: string;
  string_value?: string;
  kind?: string;
  [k: string]: unknown;
}
export interface Struct {
  fields: Record<string, StructValue>;
}

/** `envoy.config.core.v3.Node` (the fields gloo-ts reads or sends). */
export interface Node {
  id: string;
  cluster: string;
  metadata?: Struct | null;
  locality?: { region?: string; zone?: string; sub_zone?: string } | null;
  user_agent_name?: string;
  user_agent_version?: string;
  client_features?: string[];
}

export interface DiscoveryRequest {
  version_info: string;
  node?: Node | null;
  resource_names: string[];
  type_url: string;
  response_nonce: string;
  error_detail?: RpcStatus | null;
}

export interface DiscoveryResponse {
  version_info: string;
  resources: AnyMessage[];
  type_url: string;
  nonce: string;
  control_plane?: { identifier: string };
}

export interface DeltaDiscoveryRequest {
  node?: Node | null;
  type_url: string;
  resource_names_subscribe: string[];
  resource_names_unsubscribe: string[];
  initial_resource_versions: Record<string, string>;
  response_nonce: string;
  error_detail?: RpcStatus | null;
}

export interface DeltaResource {
  name: string;
  version: string;
  resource: AnyMessage;
}

export interface DeltaDiscoveryResponse {
  system_version_info: string;
  resources: DeltaResource[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
  control_plane?: { identifier: string };
}

export type SotwCall = grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>;
export type DeltaCall = grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

/** The ADS service's client constructor and service definition. */
export interface AdsDefinition {
  service: grpc.ServiceDefinition;
  Client: grpc.ServiceClientConstructor;
}

let definition: AdsDefinition | undefined;

/** Loads ads.proto once (a few hundred ms cold). */
export function adsDefinition(): AdsDefinition {
  if (definition) return definition;
  const pkg = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: protoIncludeDirs(),
  });
  const loaded = grpc.loadPackageDefinition(pkg) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: grpc.ServiceClientConstructor } } } };
  };
  const Client = loaded.envoy.service.discovery.v3.AggregatedDiscoveryService;
  definition = { service: Client.service, Client };
  return definition;
}

/** The identifier the server puts in `control_plane`. */
export const CONTROL_PLANE_ID = 'gloo-ts';

/** The node key of a proxy: `node.metadata.role` (`<namespace>~<proxy name>`), '' when absent. */
export function roleOf(node: Node | null | undefined): string {
  const v = node?.metadata?.fields?.['role'];
  const s = v?.stringValue ?? v?.string_value;
  return typeof s === 'string' ? s : '';
}

/** A Node's metadata Struct carrying a role, as a client sends it. */
export function roleMetadata(role: string): Struct {
  return { fields: { role: { stringValue: role, kind: 'stringValue' } } };
}

/** Short names used in logs, the admin API and metric labels. */
const SHORT: Record<string, string> = {
  [TYPE_URL.cluster]: 'CDS',
  [TYPE_URL.clusterLoadAssignment]: 'EDS',
  [TYPE_URL.listener]: 'LDS',
  [TYPE_URL.routeConfiguration]: 'RDS',
};

export function shortType(typeUrl: string): string {
  return SHORT[typeUrl] ?? typeUrl;
}

/** LDS and CDS are the wildcard types: an empty name list subscribes to everything (xDS protocol). */
export function isWildcardType(typeUrl: string): boolean {
  return typeUrl === TYPE_URL.listener || typeUrl === TYPE_URL.cluster;
}

/** A google.rpc.Status code for "the resource is invalid". */
export const INVALID_ARGUMENT = 3;
