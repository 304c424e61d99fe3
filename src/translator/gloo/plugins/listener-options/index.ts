/**
 * Listener-wide `options` that map onto the Envoy Listener itself: `perConnectionBufferLimitBytes`
 * → `per_connection_buffer_limit_bytes`.
 */
import type { Plugin } from '../../plugin.js';

export const listenerOptionsPlugin: Plugin = {
  name: 'listener-options',
  processListener(_params, listener, out) {
    const limit = listener.options?.perConnectionBufferLimitBytes;
    if (limit !== undefined) out.per_connection_buffer_limit_bytes = { value: limit };
  },
};
