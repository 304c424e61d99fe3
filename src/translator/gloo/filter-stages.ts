/**
 * HTTP filter order as named stages, each with the reason for its place (after Gloo's
 * `plugins/staged_filters.go`). Plugins say which stage a filter belongs to; the order inside a
 * stage is the plugin registry's order. The router filter is always last.
 */
import { TYPE_URL, type HttpFilter } from '../../xds/envoy-types.js';

export const HTTP_FILTER_STAGES = [
  { name: 'fault', reason: 'injected delays and aborts act before any other filter spends work on the request' },
  { name: 'earlyTransformation', reason: 'early transformations (Gloo: right after fault) rewrite requests before CORS, WAF and auth see them' },
  { name: 'cors', reason: 'CORS preflights are answered before auth, which a browser preflight can never pass' },
  { name: 'waf', reason: 'malicious requests are refused before we spend work authenticating them' },
  { name: 'authn', reason: 'who the caller is (ext_authz, jwt) must be known before deciding what they may do' },
  { name: 'authz', reason: 'access decisions (rbac) use the identity established by authn' },
  { name: 'ratelimit', reason: 'only requests that passed auth count against quotas, so refused callers cannot drain them' },
  { name: 'transformation', reason: 'requests are rewritten after every policy decided on the original request' },
  { name: 'route', reason: 'filters about the chosen route (buffer, csrf) run last, right before the router' },
] as const;

export type FilterStageName = (typeof HTTP_FILTER_STAGES)[number]['name'];

/** An HTTP filter and the stage it runs in. Example: `{stage: 'cors', filter: {name: 'envoy.filters.http.cors', typed_config: {...}}}` */
export interface StagedHttpFilter {
  stage: FilterStageName;
  filter: HttpFilter;
}

const STAGE_INDEX = new Map<string, number>(HTTP_FILTER_STAGES.map((s, i) => [s.name, i]));

export const ROUTER_FILTER: HttpFilter = { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } };

/** The filters in stage order (stable within a stage), then the router. */
export function orderHttpFilters(filters: readonly StagedHttpFilter[]): HttpFilter[] {
  return filters
    .map((f, i) => ({ f, i }))
    .sort((a, b) => STAGE_INDEX.get(a.f.stage)! - STAGE_INDEX.get(b.f.stage)! || a.i - b.i)
    .map(({ f }) => f.filter)
    .concat([ROUTER_FILTER]);
}
