/**
 * Envoy's AccessLog `filter` (envoy.config.accesslog.v3.AccessLogFilter), compiled to a predicate:
 * status_code_filter, duration_filter (ms, DURATION), not_health_check_filter, header_filter,
 * response_flag_filter (listed flags, or any flag when empty), and_filter, or_filter. runtime and
 * traceable filters, grpc_status_filter and extension filters are not implemented: reported once at
 * config time, and they let every line through.
 */
import type { AccessLogFilter, ComparisonFilter } from '../../xds/envoy-types.js';
import { CompiledHeaderMatcher } from '../router/header-matcher.js';
import { responseFlagByName } from '../http/stream-info.js';
import type { LogContext } from './format.js';

export type LogPredicate = (c: LogContext) => boolean;

function comparison(cmp: ComparisonFilter, get: (c: LogContext) => number | null): LogPredicate {
  const value = Number(cmp.value?.default_value ?? 0);
  switch (cmp.op ?? 'EQ') {
    case 'GE':
      return (c) => (get(c) ?? -1) >= value;
    case 'LE':
      return (c) => {
        const v = get(c);
        return v !== null && v <= value;
      };
    default:
      return (c) => get(c) === value;
  }
}

export function compileAccessLogFilter(f: AccessLogFilter, onUnsupported: (what: string) => void): LogPredicate {
  if (f.status_code_filter !== undefined) return comparison(f.status_code_filter.comparison ?? {}, (c) => (c.res.headersSent ? c.res.statusCode : 0));
  if (f.duration_filter !== undefined) {
    return comparison(f.duration_filter.comparison ?? {}, (c) => Math.round(c.info.endHr - c.info.startHr));
  }
  if (f.not_health_check_filter !== undefined) return (c) => !c.info.healthCheck;
  if (f.header_filter !== undefined) {
    const m = CompiledHeaderMatcher.compile(f.header_filter.header);
    return (c) => m.matches(c.req);
  }
  if (f.response_flag_filter !== undefined) {
    const names = f.response_flag_filter.flags ?? [];
    if (names.length === 0) return (c) => c.info.responseFlags !== 0;
    let mask = 0;
    for (const n of names) {
      const bit = responseFlagByName(n);
      if (bit === 0) onUnsupported(`response_flag_filter flag ${n}`);
      mask |= bit;
    }
    return (c) => (c.info.responseFlags & mask) !== 0;
  }
  if (f.and_filter !== undefined) {
    const subs = (f.and_filter.filters ?? []).map((s) => compileAccessLogFilter(s, onUnsupported));
    return (c) => subs.every((p) => p(c));
  }
  if (f.or_filter !== undefined) {
    const subs = (f.or_filter.filters ?? []).map((s) => compileAccessLogFilter(s, onUnsupported));
    return (c) => subs.some((p) => p(c));
  }
  onUnsupported(Object.keys(f).join(',') || 'empty filter');
  return () => true;
}
