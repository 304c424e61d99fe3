/**
 * Upstream `circuitBreakers` (else `settings.gloo.circuitBreakers`, spec §2.2) → the cluster's
 * `circuit_breakers.thresholds[0]` (default priority): `max_connections`, `max_pending_requests`,
 * `max_requests`, `max_retries`, `track_remaining`. Without either, Envoy's defaults apply
 * (1024/1024/1024/3) and nothing is emitted.
 */
import type { Plugin } from '../../plugin.js';
import type { Cluster } from '../../../../xds/envoy-types.js';
import { settingsOf } from '../../../settings.js';

export const circuitBreakersPlugin: Plugin = {
  name: 'circuit-breakers',
  processUpstream(params, upstream, out) {
    const cb = upstream.spec.circuitBreakers ?? settingsOf(params.snapshot, params.proxy.metadata.namespace).spec.gloo?.circuitBreakers;
    if (!cb) return;
    const t: NonNullable<Cluster['circuit_breakers']>['thresholds'][number] = {};
    if (cb.maxConnections !== undefined) t.max_connections = { value: cb.maxConnections };
    if (cb.maxPendingRequests !== undefined) t.max_pending_requests = { value: cb.maxPendingRequests };
    if (cb.maxRequests !== undefined) t.max_requests = { value: cb.maxRequests };
    if (cb.maxRetries !== undefined) t.max_retries = { value: cb.maxRetries };
    if (cb.trackRemaining) t.track_remaining = true;
    out.circuit_breakers = { thresholds: [t] };
  },
};
