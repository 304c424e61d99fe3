/**
 * `httpGateway.options.gzip` → Envoy's `envoy.filters.http.compressor` with the
 * `envoy.compression.gzip.compressor` library (spec §2.7.2): `memory_level`, `compression_level`
 * (DEFAULT → DEFAULT_COMPRESSION, BEST → BEST_COMPRESSION, SPEED → BEST_SPEED),
 * `compression_strategy` (HUFFMAN → HUFFMAN_ONLY), `window_bits`, and the compressor's
 * `content_length`, `content_type`, `disable_on_etag_header`, `remove_accept_encoding_header`.
 * Stage `fault` (Gloo: FaultStage), so it compresses whatever the later filters produce.
 */
import type { Plugin } from '../../plugin.js';
import { TYPE_URL, type TypedConfig } from '../../../../xds/envoy-types.js';

const LEVEL = { DEFAULT: undefined, BEST: 'BEST_COMPRESSION', SPEED: 'BEST_SPEED' } as const;
const STRATEGY = { DEFAULT: undefined, FILTERED: 'FILTERED', HUFFMAN: 'HUFFMAN_ONLY', RLE: 'RLE' } as const;

export const gzipPlugin: Plugin = {
  name: 'gzip',
  httpFilters(_params, listener) {
    const g = listener.httpListener?.options?.gzip;
    if (!g) return [];
    const lib: TypedConfig = { '@type': TYPE_URL.gzip };
    if (g.memoryLevel) lib.memory_level = { value: g.memoryLevel };
    const level = g.compressionLevel ? LEVEL[g.compressionLevel] : undefined;
    if (level) lib.compression_level = level;
    const strategy = g.compressionStrategy ? STRATEGY[g.compressionStrategy] : undefined;
    if (strategy) lib.compression_strategy = strategy;
    if (g.windowBits) lib.window_bits = { value: g.windowBits };
    const cfg: TypedConfig = { '@type': TYPE_URL.compressor, compressor_library: { name: 'envoy.compression.gzip.compressor', typed_config: lib } };
    if (g.contentLength) cfg.content_length = { value: g.contentLength };
    if (g.contentType?.length) cfg.content_type = [...g.contentType];
    if (g.disableOnEtagHeader) cfg.disable_on_etag_header = true;
    if (g.removeAcceptEncodingHeader) cfg.remove_accept_encoding_header = true;
    return [{ stage: 'fault', filter: { name: 'envoy.filters.http.compressor', typed_config: cfg } }];
  },
};
