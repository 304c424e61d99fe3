/**
 * `envoy.filters.http.grpc_web`: on by default in Gloo. Translating gRPC-Web to gRPC is not
 * implemented yet; the filter is a pass-through that never adds an instance to a request, so plain
 * HTTP traffic is unaffected.
 */
import type { FilterFactory } from '../../http/filter.js';

export const GRPC_WEB_FILTER = 'envoy.filters.http.grpc_web';

export function grpcWebFilterFactory(): FilterFactory {
  return { name: GRPC_WEB_FILTER, encodes: false, create: () => null };
}
