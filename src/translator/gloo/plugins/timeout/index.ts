/**
 * Route timeouts: `options.timeout` → `route.timeout` (the whole upstream exchange, Envoy default
 * 15 s), `options.idleTimeout` → `route.idle_timeout` (per-stream idle timeout; 0 disables) and
 * `options.maxStreamDuration` → `route.max_stream_duration` (`max_stream_duration`,
 * `grpc_timeout_header_max`, `grpc_timeout_header_offset`).
 */
import type { Plugin, ProblemSink } from '../../plugin.js';
import { parseDurationMs } from '../../../../api/schema.js';
import { durationFromMs, type Duration } from '../../../../xds/envoy-types.js';

/** A Gloo duration (`5s`, `1m30s`, `250ms`) as an Envoy Duration; reports and returns undefined when invalid. */
export function envoyDuration(text: string | undefined, report: ProblemSink, what: string): Duration | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    report.error(`invalid duration for ${what}: ${JSON.stringify(text)}`);
    return undefined;
  }
  return durationFromMs(ms);
}

export const timeoutPlugin: Plugin = {
  name: 'timeout',
  processRoute(params, route, out) {
    const o = route.options;
    if (!o || !out.route) return;
    if (o.timeout !== undefined) {
      const ms = parseDurationMs(o.timeout);
      if (ms === undefined) params.report.error(`route ${params.routeIndex}: invalid timeout ${JSON.stringify(o.timeout)}`);
      else out.route.timeout = durationFromMs(ms);
    }
    const idle = envoyDuration(o.idleTimeout, params.report, `route ${params.routeIndex} idleTimeout`);
    if (idle) out.route.idle_timeout = idle;
    const m = o.maxStreamDuration;
    if (m) {
      const msd: NonNullable<typeof out.route.max_stream_duration> = {};
      const a = envoyDuration(m.maxStreamDuration, params.report, 'maxStreamDuration.maxStreamDuration');
      const b = envoyDuration(m.grpcTimeoutHeaderMax, params.report, 'maxStreamDuration.grpcTimeoutHeaderMax');
      const c = envoyDuration(m.grpcTimeoutHeaderOffset, params.report, 'maxStreamDuration.grpcTimeoutHeaderOffset');
      if (a) msd.max_stream_duration = a;
      if (b) msd.grpc_timeout_header_max = b;
      if (c) msd.grpc_timeout_header_offset = c;
      out.route.max_stream_duration = msd;
    }
  },
};
