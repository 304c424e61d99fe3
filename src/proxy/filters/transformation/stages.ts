/**
 * The per-route configuration of the transformation filter: `typed_per_filter_config
 * ['io.solo.transformation']`, a TypedStruct `gloo_ts.transformation.v1.RouteTransformations` whose
 * value is Gloo's TransformationStages message (docs/xds-extensions.md). Each filter instance runs one
 * stage — `regular` (stage 0) or `early` (stage 1), as envoy-gloo's two filter instances do — and
 * compiles only that stage:
 *  - `requestTransforms[]`: the first entry whose matcher matches the request (no matcher: every
 *    request) gives the request transformation, `clearRouteCache`, and the response transformation;
 *    entries with neither transformation are left out (envoy-gloo does not load them);
 *  - `responseTransforms[]`: consulted only when the matched request entry has no response
 *    transformation; the first entry whose header matchers (and `responseCodeDetails`) match the
 *    response applies.
 * `escapeCharacters` of the stages is the default of their templates (a template's own wins; the
 * filter-level default, from Settings, comes last); `logRequestResponseInfo` likewise.
 */
import type { TypedConfig } from '../../../xds/envoy-types.js';
import { structToJson } from '../../upstream/tls/upstream-tls-context.js';
import type { RequestView } from '../../router/request-view.js';
import { RequestMatcher, ResponseHeaderMatcher, type GlooHeaderMatcher, type GlooMatcher } from './matchers.js';
import { compileTransformation, TransformationConfigError, type CompiledTransformation, type TransformationConfig, type TransformationDefaults } from './transformation.js';

export const ROUTE_TRANSFORMATIONS_TYPE_URL = 'type.googleapis.com/gloo_ts.transformation.v1.RouteTransformations';
export const FILTER_TRANSFORMATIONS_TYPE_URL = 'type.googleapis.com/gloo_ts.transformation.v1.FilterTransformations';
const TYPED_STRUCT = 'type.googleapis.com/xds.type.v3.TypedStruct';

/** envoy-gloo's stage numbers. */
export const REGULAR_STAGE = 0;
export const EARLY_STAGE = 1;

interface RequestMatchConfig {
  matcher?: GlooMatcher;
  clearRouteCache?: boolean;
  requestTransformation?: TransformationConfig;
  responseTransformation?: TransformationConfig;
}

interface ResponseMatchConfig {
  matchers?: GlooHeaderMatcher[];
  responseCodeDetails?: string;
  responseTransformation?: TransformationConfig;
}

interface StageConfig {
  requestTransforms?: RequestMatchConfig[];
  responseTransforms?: ResponseMatchConfig[];
}

export interface StagesConfig {
  early?: StageConfig;
  regular?: StageConfig;
  postRouting?: StageConfig;
  inheritTransformation?: boolean;
  logRequestResponseInfo?: boolean;
  escapeCharacters?: boolean;
}

export interface RequestEntry {
  readonly matcher: RequestMatcher | null;
  readonly clearRouteCache: boolean;
  readonly request: CompiledTransformation | null;
  readonly response: CompiledTransformation | null;
}

export interface ResponseEntry {
  readonly headers: readonly ResponseHeaderMatcher[];
  readonly details: string | null;
  readonly response: CompiledTransformation;
}

/** Whether a stage's request transformations need the request body. */
export const enum BodyNeed {
  Never,
  Always,
  /** Some entries do, some do not: decided by the entry that matches. */
  Depends,
}

export class CompiledStage {
  readonly requestBody: BodyNeed;
  /** Some response transformation of the stage needs the response buffered. */
  readonly anyResponseBuffered: boolean;
  /** Some response transformation of `responseTransforms` needs the response buffered. */
  readonly responseEntriesBuffered: boolean;
  /** Some response entry matches on `responseCodeDetails`. */
  readonly usesDetails: boolean;

  constructor(
    readonly requestEntries: readonly RequestEntry[],
    readonly responseEntries: readonly ResponseEntry[],
  ) {
    const needs = requestEntries.filter((e) => e.request !== null).map((e) => e.request!.needsBody);
    this.requestBody = needs.every((n) => !n) ? BodyNeed.Never : needs.every((n) => n) && requestEntries.every((e) => e.request !== null) ? BodyNeed.Always : BodyNeed.Depends;
    this.responseEntriesBuffered = responseEntries.some((e) => buffersResponse(e.response));
    this.anyResponseBuffered = this.responseEntriesBuffered || requestEntries.some((e) => e.response !== null && buffersResponse(e.response));
    this.usesDetails = responseEntries.some((e) => e.details !== null);
  }

  /** The first request entry matching `req`, or null. */
  matchRequest(req: RequestView): RequestEntry | null {
    const es = this.requestEntries;
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      if (e.matcher === null || e.matcher.matches(req)) return e;
    }
    return null;
  }

  /** The first `responseTransforms` entry matching the response; `details` is computed only when needed. */
  matchResponse(status: number, headers: readonly string[], details: () => string | null): CompiledTransformation | null {
    const es = this.responseEntries;
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      if (e.details !== null && details() !== e.details) continue;
      let ok = true;
      for (const h of e.headers) {
        if (!h.matches(status, headers)) {
          ok = false;
          break;
        }
      }
      if (ok) return e.response;
    }
    return null;
  }
}

/**
 * A response transformation reads the response before it is written (buffered) when it needs the body
 * or sets `:status`; other (header-only) ones run on the response headers as they are written.
 */
export function buffersResponse(t: CompiledTransformation): boolean {
  return t.needsBody || t.setsStatus;
}

/** The Gloo JSON of a per-route TypedStruct; throws when it is not ours. */
export function stagesOf(typed: TypedConfig): StagesConfig {
  const t = typed as { '@type'?: string; type_url?: string; value?: unknown };
  if (t['@type'] !== TYPED_STRUCT || t.type_url !== ROUTE_TRANSFORMATIONS_TYPE_URL) {
    throw new Error(`transformation per-route config must be a TypedStruct ${ROUTE_TRANSFORMATIONS_TYPE_URL}, got ${t.type_url ?? t['@type'] ?? 'nothing'}`);
  }
  return structToJson(t.value as Record<string, unknown> | undefined) as StagesConfig;
}

/** Compiles stage `stage` of a TransformationStages; null when it has no transformation. Throws TransformationConfigError. */
export function compileStage(stages: StagesConfig, stage: number, filterDefaults: TransformationDefaults): CompiledStage | null {
  const cfg = stage === EARLY_STAGE ? stages.early : stage === REGULAR_STAGE ? stages.regular : undefined;
  if (cfg === undefined) return null;
  const defaults: TransformationDefaults = {
    escapeCharacters: stages.escapeCharacters ?? filterDefaults.escapeCharacters,
    logRequestResponseInfo: stages.logRequestResponseInfo === true || filterDefaults.logRequestResponseInfo,
  };
  const where = stage === EARLY_STAGE ? 'early' : 'regular';
  const requestEntries: RequestEntry[] = [];
  (cfg.requestTransforms ?? []).forEach((r, i) => {
    const at = `${where}.requestTransforms[${i}]`;
    const request = r.requestTransformation === undefined ? null : compileOne(r.requestTransformation, defaults, `${at}: Failed to parse request template: `);
    const response = r.responseTransformation === undefined ? null : compileOne(r.responseTransformation, defaults, `${at}: Failed to parse response template: `);
    if (request === null && response === null) return;
    let matcher: RequestMatcher | null = null;
    if (r.matcher !== undefined) {
      try {
        matcher = new RequestMatcher(r.matcher);
      } catch (err) {
        throw new TransformationConfigError(`${at}.matcher: ${(err as Error).message}`);
      }
    }
    requestEntries.push({ matcher, clearRouteCache: r.clearRouteCache === true, request, response });
  });
  const responseEntries: ResponseEntry[] = [];
  (cfg.responseTransforms ?? []).forEach((r, i) => {
    const at = `${where}.responseTransforms[${i}]`;
    if (r.responseTransformation === undefined) return;
    const response = compileOne(r.responseTransformation, defaults, `${at}: Failed to parse response template on response matcher: `);
    let headers: ResponseHeaderMatcher[];
    try {
      headers = (r.matchers ?? []).map((m) => new ResponseHeaderMatcher(m));
    } catch (err) {
      throw new TransformationConfigError(`${at}.matchers: ${(err as Error).message}`);
    }
    responseEntries.push({ headers, details: r.responseCodeDetails ? r.responseCodeDetails : null, response });
  });
  if (requestEntries.length === 0 && responseEntries.length === 0) return null;
  return new CompiledStage(requestEntries, responseEntries);
}

function compileOne(c: TransformationConfig, defaults: TransformationDefaults, prefix: string): CompiledTransformation {
  try {
    return compileTransformation(c, defaults);
  } catch (err) {
    throw new TransformationConfigError(prefix + (err as Error).message);
  }
}
