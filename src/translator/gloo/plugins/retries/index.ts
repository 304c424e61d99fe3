/**
 * `retries` (route and virtual host) → Envoy `retry_policy` (spec §2.5.1): `retry_on`,
 * `num_retries` (Gloo sends 1 when unset or 0), `per_try_timeout`, `retry_back_off`
 * (`base_interval` ≥ 1ms, not above `max_interval`), `retriable_status_codes` and
 * `rate_limited_retry_back_off`. `previousPriorities` needs Envoy's previous_priorities retry
 * priority extension, which is not emitted (Warning). A route policy replaces the virtual host's.
 */
import type { Plugin, ProblemSink } from '../../plugin.js';
import type { RetryPolicy as GlooRetryPolicy } from '../../../../api/types/options.js';
import { parseDurationMs } from '../../../../api/schema.js';
import type { RetryPolicy } from '../../../../xds/envoy-types.js';
import { envoyDuration } from '../timeout/index.js';

/** The Envoy retry policy, or undefined after reporting an error. */
export function retryPolicy(r: GlooRetryPolicy, report: ProblemSink): RetryPolicy | undefined {
  const out: RetryPolicy = {};
  if (r.retryOn) out.retry_on = r.retryOn;
  out.num_retries = { value: r.numRetries || 1 };
  const perTry = envoyDuration(r.perTryTimeout, report, 'retries.perTryTimeout');
  if (perTry) out.per_try_timeout = perTry;
  if (r.retriableStatusCodes?.length) out.retriable_status_codes = [...r.retriableStatusCodes];
  const b = r.retryBackOff;
  if (b) {
    const baseMs = parseDurationMs(b.baseInterval ?? '');
    const maxMs = b.maxInterval === undefined ? undefined : parseDurationMs(b.maxInterval);
    if (baseMs === undefined || baseMs < 1) {
      report.error('retries: retryBackOff.baseInterval must be at least 1ms');
      return undefined;
    }
    if (maxMs !== undefined && baseMs > maxMs) {
      report.error(`retries: retryBackOff.baseInterval ${b.baseInterval ?? ''} is greater than maxInterval ${b.maxInterval ?? ''}`);
      return undefined;
    }
    out.retry_back_off = { base_interval: envoyDuration(b.baseInterval, report, 'retries.retryBackOff.baseInterval')! };
    const max = envoyDuration(b.maxInterval, report, 'retries.retryBackOff.maxInterval');
    if (max) out.retry_back_off.max_interval = max;
  }
  const rl = r.rateLimitedRetryBackOff;
  if (rl) {
    out.rate_limited_retry_back_off = {
      reset_headers: (rl.resetHeaders ?? []).map((h) => ({ name: h.name ?? '', ...(h.format === 'UNIX_TIMESTAMP' ? { format: 'UNIX_TIMESTAMP' as const } : {}) })),
    };
    const max = envoyDuration(rl.maxInterval, report, 'retries.rateLimitedRetryBackOff.maxInterval');
    if (max) out.rate_limited_retry_back_off.max_interval = max;
  }
  if (r.previousPriorities) report.warning('retries.previousPriorities is not translated yet (the previous_priorities retry priority is not emitted)');
  return out;
}

export const retriesPlugin: Plugin = {
  name: 'retries',
  processRoute(params, route, out) {
    const r = route.options?.retries;
    if (!r || !out.route) return;
    const p = retryPolicy(r, params.report);
    if (p) out.route.retry_policy = p;
  },
  processVirtualHost(params, vh, out) {
    const o = vh.options;
    const r = o?.retries;
    if (r) {
      const p = retryPolicy(r, params.report);
      if (p) out.retry_policy = p;
    }
    if (o?.includeRequestAttemptCount) out.include_request_attempt_count = true;
    if (o?.includeAttemptCountInResponse) out.include_attempt_count_in_response = true;
  },
};
