/**
 * `envoy.filters.http.fault` (HTTPFault): injects a delay (`delay.fixed_delay`, by `delay.percentage`)
 * and then an abort (`abort.http_status`, by `abort.percentage`). A route's or virtual host's
 * `typed_per_filter_config` HTTPFault replaces the filter-level one for its requests, as in Envoy.
 * Header-controlled faults: with `abort.header_abort` the status comes from
 * `x-envoy-fault-abort-request`, with `delay.header_delay` the delay in ms from
 * `x-envoy-fault-delay-request` (the configured percentage still applies; 100% when none).
 * `headers` restricts faults to matching requests; `max_active_faults` caps concurrent faults.
 * `upstream_cluster` and gRPC aborts are not implemented (logged once per config).
 */
import type { HTTPFault, TypedConfig } from '../../../xds/envoy-types.js';
import { durationToMs } from '../../../xds/envoy-types.js';
import { FilterStatus, type FilterBuildContext, type FilterCallbacks, type FilterFactory, type StreamFilter } from '../../http/filter.js';
import { textBody } from '../../http/local-reply.js';
import { CompiledHeaderMatcher } from '../../router/header-matcher.js';
import { ResponseFlag } from '../../http/stream-info.js';
import type { ProxyStats } from '../../stats.js';
import { fractionOf, sample } from '../percent.js';

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const ABORT_BODY = textBody('fault filter abort');

/** One HTTPFault, compiled. */
export class FaultConfig {
  readonly abortStatus: number;
  readonly abortFromHeader: boolean;
  readonly abortFraction: number;
  readonly delayMs: number;
  readonly delayFromHeader: boolean;
  readonly delayFraction: number;
  readonly headers: CompiledHeaderMatcher[] | null;
  readonly maxActive: number;
  /** True when the config can inject nothing (no instance is created). */
  readonly empty: boolean;

  constructor(f: HTTPFault) {
    const a = f.abort;
    this.abortFromHeader = a?.header_abort !== undefined;
    this.abortStatus = Number(a?.http_status ?? 0);
    if (a !== undefined && !this.abortFromHeader && a.grpc_status === undefined && (this.abortStatus < 200 || this.abortStatus > 599)) {
      throw new Error(`fault abort http_status ${String(a.http_status)} is not in 200..599`);
    }
    this.abortFraction = a === undefined ? 0 : a.percentage === undefined && this.abortFromHeader ? 1 : fractionOf(a.percentage);
    const d = f.delay;
    this.delayFromHeader = d?.header_delay !== undefined;
    this.delayMs = durationToMs(d?.fixed_delay) ?? 0;
    this.delayFraction = d === undefined ? 0 : d.percentage === undefined && this.delayFromHeader ? 1 : fractionOf(d.percentage);
    this.headers = f.headers !== undefined && f.headers.length > 0 ? f.headers.map((h) => CompiledHeaderMatcher.compile(h)) : null;
    this.maxActive = f.max_active_faults?.value ?? Infinity;
    this.empty = this.abortFraction === 0 && (this.delayFraction === 0 || (this.delayMs <= 0 && !this.delayFromHeader));
  }
}

class FaultFactory implements FilterFactory<FaultConfig> {
  readonly name = FAULT_FILTER;
  readonly encodes = false;
  active = 0;

  constructor(
    private readonly config: FaultConfig,
    readonly stats: ProxyStats,
  ) {}

  compilePerRoute(typed: TypedConfig): FaultConfig {
    return new FaultConfig(typed as HTTPFault);
  }

  create(perRoute: FaultConfig | undefined): StreamFilter | null {
    const c = perRoute ?? this.config;
    if (c.empty) return null;
    return new FaultFilter(this, c);
  }
}

class FaultFilter implements StreamFilter {
  private timer: NodeJS.Timeout | null = null;
  private counted = false;

  constructor(
    private readonly factory: FaultFactory,
    private readonly c: FaultConfig,
  ) {}

  decodeHeaders(cb: FilterCallbacks): FilterStatus {
    const c = this.c;
    if (c.headers !== null) for (const m of c.headers) if (!m.matches(cb.req)) return FilterStatus.Continue;
    if (this.factory.active >= c.maxActive) {
      this.factory.stats.fault_faults_overflow++;
      return FilterStatus.Continue;
    }
    let delay = 0;
    if (c.delayFraction > 0 && sample(c.delayFraction)) {
      delay = c.delayFromHeader ? Number(cb.req.headers['x-envoy-fault-delay-request']) : c.delayMs;
      if (!Number.isFinite(delay) || delay < 0) delay = 0;
    }
    if (delay > 0) {
      this.factory.stats.fault_delays_injected++;
      cb.addResponseFlag(ResponseFlag.DelayInjected);
      this.enter();
      this.timer = setTimeout(afterDelay, delay, this, cb);
      return FilterStatus.StopIteration;
    }
    return this.maybeAbort(cb) ? FilterStatus.StopIteration : FilterStatus.Continue;
  }

  /** Aborts the request when the abort fires; true when it did. */
  maybeAbort(cb: FilterCallbacks): boolean {
    const c = this.c;
    if (c.abortFraction === 0 || !sample(c.abortFraction)) return false;
    let status = c.abortStatus;
    if (c.abortFromHeader) {
      status = Number(cb.req.headers['x-envoy-fault-abort-request']);
      if (!Number.isInteger(status) || status < 200 || status > 599) return false;
    }
    this.factory.stats.fault_aborts_injected++;
    cb.addResponseFlag(ResponseFlag.FaultInjected);
    cb.sendLocalReply(status, ABORT_BODY);
    return true;
  }

  delayDone(cb: FilterCallbacks): void {
    this.timer = null;
    if (this.maybeAbort(cb)) return;
    cb.continueDecoding();
  }

  private enter(): void {
    this.counted = true;
    this.factory.active++;
  }

  onDestroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.counted) {
      this.counted = false;
      this.factory.active--;
    }
  }
}

function afterDelay(f: FaultFilter, cb: FilterCallbacks): void {
  f.delayDone(cb);
}

export function faultFilterFactory(typed: TypedConfig, ctx: FilterBuildContext): FilterFactory {
  const f = typed as HTTPFault;
  if (f.upstream_cluster !== undefined || f.abort?.grpc_status !== undefined) {
    ctx.logger.warn('fault filter: upstream_cluster and gRPC aborts are not implemented; ignored', {});
  }
  return new FaultFactory(new FaultConfig(f), ctx.stats) as FilterFactory;
}
