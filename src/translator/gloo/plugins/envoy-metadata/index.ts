/**
 * `options.envoyMetadata` (`{<filter namespace>: Struct}`) → the Envoy route's `metadata.filter_metadata`.
 */
import type { Plugin } from '../../plugin.js';
import { toStruct, type Struct } from '../../../../xds/envoy-types.js';

export const envoyMetadataPlugin: Plugin = {
  name: 'envoy-metadata',
  processRoute(_params, route, out) {
    const m = route.options?.envoyMetadata;
    if (!m || Object.keys(m).length === 0) return;
    const filter_metadata: Record<string, Struct> = {};
    for (const [ns, value] of Object.entries(m)) filter_metadata[ns] = toStruct((value ?? {}) as Record<string, unknown>);
    out.metadata = { filter_metadata };
  },
};
