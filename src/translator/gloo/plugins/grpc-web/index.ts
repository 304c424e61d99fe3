/**
 * gRPC-Web (spec §2.7.2): Gloo puts `envoy.filters.http.grpc_web` on every HTTP listener unless
 * `httpGateway.options.grpcWeb.disable` or `settings.gloo.disableGrpcWeb` — it costs nothing for
 * requests that are not gRPC-Web, so it is on even though no config "uses" it. Stage `authz`, last
 * in it (Gloo: after AuthZStage), so register it after any authorization plugin.
 */
import type { Plugin } from '../../plugin.js';
import { TYPE_URL } from '../../../../xds/envoy-types.js';
import { settingsOf } from '../../../settings.js';

export const grpcWebPlugin: Plugin = {
  name: 'grpc-web',
  httpFilters(params, listener) {
    if (listener.httpListener?.options?.grpcWeb?.disable) return [];
    if (settingsOf(params.snapshot, params.proxy.metadata.namespace).spec.gloo?.disableGrpcWeb) return [];
    return [{ stage: 'authz', filter: { name: 'envoy.filters.http.grpc_web', typed_config: { '@type': TYPE_URL.grpcWeb } } }];
  },
};
