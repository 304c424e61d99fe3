/**
 * Pipe upstreams (spec §2.2.5): `pipe: {path}` → a `STATIC` cluster whose one endpoint is the Unix
 * socket `path` (Envoy's `pipe` address), as Gloo emits it. An empty path is Gloo's error
 * `no path provided`. Envoy and the gloo-ts data plane connect to the socket; proxyless gRPC has no
 * Unix socket endpoints, so such an upstream is no proxyless gRPC destination.
 */
import type { Plugin } from '../../plugin.js';

export const pipePlugin: Plugin = {
  name: 'pipe',
  processUpstream(params, upstream, out) {
    const spec = upstream.spec.pipe;
    if (!spec) return;
    delete out.eds_cluster_config;
    out.type = 'STATIC';
    if (!spec.path) {
      params.report.error('no path provided');
      return;
    }
    out.load_assignment = { cluster_name: out.name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: spec.path } } } }] }] };
  },
};
