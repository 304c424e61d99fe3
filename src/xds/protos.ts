/**
 * The real Envoy v3 protos (the `.proto` tree shipped in @grpc/grpc-js-xds), loaded once into one
 * protobufjs Root, and the encoding of xDS resources with them: `encodeResource` turns a resource in
 * our object form (src/xds/envoy-types.ts: snake_case, `{seconds, nanos}`, `{value}`, Any as
 * `{'@type', ...}`) into protobuf bytes, `decodeResource` turns bytes back into that form. The strict
 * conformance check (no unknown field, no unknown `@type`) lives in `proto-check.ts`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import { TYPE_URL } from './envoy-types.js';

const require = createRequire(import.meta.url);

/** The include directories of the proto tree. */
export function protoIncludeDirs(): string[] {
  const deps = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(deps, d));
}

/** Every proto file whose messages gloo-ts emits (resources, and the typed configs inside them). */
export const ENVOY_PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/sni_cluster/v3/sni_cluster.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/grpc_web/v3/grpc_web.proto',
  'envoy/extensions/filters/http/health_check/v3/health_check.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/buffer/v3/buffer.proto',
  'envoy/extensions/filters/http/csrf/v3/csrf.proto',
  'envoy/extensions/filters/http/compressor/v3/compressor.proto',
  'envoy/extensions/compression/gzip/compressor/v3/gzip.proto',
  'envoy/extensions/filters/http/grpc_json_transcoder/v3/transcoder.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'xds/type/v3/typed_struct.proto',
];

let root: protobuf.Root | undefined;

/** The Root holding every message of ENVOY_PROTO_FILES (loaded on first use, ~0.5 s). */
export function envoyRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  const dirs = protoIncludeDirs();
  // google/protobuf/descriptor.proto is not in the tree: protobufjs ships it.
  const protobufDir = path.dirname(require.resolve('protobufjs/package.json'));
  r.resolvePath = (_origin, target) => {
    if (target.startsWith('google/protobuf/')) {
      const bundled = path.join(protobufDir, target);
      if (target.endsWith('descriptor.proto')) return bundled;
      // any, duration, struct, wrappers, timestamp, empty: protobufjs has them built in.
      if (protobuf.common.get(target)) return target;
      return bundled;
    }
    for (const d of dirs) {
      const p = path.join(d, target);
      try {
        require('node:fs').accessSync(p);
        return p;
      } catch {
        /* next include dir */
      }
    }
    return target;
  };
  r.loadSync(ENVOY_PROTO_FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

/** The message type named by a type URL (`type.googleapis.com/envoy.config.listener.v3.Listener`). */
export function messageType(typeUrl: string): protobuf.Type | undefined {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  try {
    return envoyRoot().lookupType(name);
  } catch {
    return undefined;
  }
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, defaults: false, arrays: false, json: true };

/** Encodes a resource (our object form) as protobuf bytes of `typeUrl`. */
export function encodeResource(typeUrl: string, resource: object): Uint8Array {
  const type = messageType(typeUrl);
  if (!type) throw new Error(`unknown resource type ${typeUrl}`);
  return type.encode(type.fromObject(resource as Record<string, unknown>)).finish();
}

/** Decodes protobuf bytes of `typeUrl` into our object form. */
export function decodeResource<T = Record<string, unknown>>(typeUrl: string, bytes: Uint8Array): T {
  const type = messageType(typeUrl);
  if (!type) throw new Error(`unknown resource type ${typeUrl}`);
  return type.toObject(type.decode(bytes), TO_OBJECT) as T;
}

/** The four resource type URLs, in the order a proxy should apply them (CDS before EDS, LDS before RDS). */
export const RESOURCE_TYPES = [TYPE_URL.cluster, TYPE_URL.clusterLoadAssignment, TYPE_URL.listener, TYPE_URL.routeConfiguration] as const;
