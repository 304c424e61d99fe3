/**
 * `io.solo.transformation`: Gloo's transformation filter (envoy-gloo's, spec §4), configured by the
 * translator as documented in docs/xds-extensions.md. One filter instance per stage, as Gloo emits
 * them: the early one (filter value `{stage: 1}`) right after fault injection, the regular one
 * (stage 0) after auth and rate limiting. Each reads its stage of the route's (else the virtual
 * host's) TransformationStages, compiled once per route (stages.ts).
 *
 * Per request the instance is chosen by what the matched transformation needs, so requests pay only
 * for what they use:
 *  - a request transformation that reads or replaces the body gets `decodeBody` (the chain buffers
 *    the body, 413 past the limit); one that reads only headers and extractions runs in
 *    `decodeHeaders` and the body streams untouched (also `passthrough: {}`);
 *  - a response transformation that reads or replaces the body or sets `:status` gets `encodeBody`
 *    (the response is buffered, 500 past the limit); a header-only one runs in `encodeHeaders` as the
 *    headers are written; `responseTransforms` entries are matched on the response, so the choice
 *    covers every entry that could apply.
 * The request is matched when the instance is created; the regular stage of a route that also has
 * early transformations matches in `decodeHeaders`, after the early one may have changed it.
 *
 * After a request transformation: a changed `:path` / `:authority` is what the router forwards, and
 * `clearRouteCache: true` selects the route again (FilterCallbacks.requestRewritten). A template that
 * fails (a missing variable, a body that is not JSON…) answers `400` with envoy-gloo's text,
 * `bad request: <message>`; on a buffered response the response becomes that 400. Dynamic metadata is
 * kept on the stream for access logs (`%DYNAMIC_METADATA(io.solo.transformation:key)%`) and for
 * `dynamic_metadata()` in later templates. `logRequestResponseInfo` logs headers and bodies before
 * and after at debug level.
 */
import { InjaRenderError } from '../../../transform/inja/index.js';
import type { TypedConfig } from '../../../xds/envoy-types.js';
import { FilterStatus, type BufferedResponse, type FilterBuildContext, type FilterCallbacks, type FilterFactory, type StreamFilter } from '../../http/filter.js';
import { textBody } from '../../http/local-reply.js';
import { kStreamInfo, ResponseFlag, type StreamInfo } from '../../http/stream-info.js';
import type { Logger } from '../../logger.js';
import { RouteKind } from '../../router/compiled-route.js';
import { structToJson } from '../../upstream/tls/upstream-tls-context.js';
import { RequestChange, RequestHeaders, ResponseHeaders } from './headers.js';
import { BodyNeed, buffersResponse, compileStage, EARLY_STAGE, FILTER_TRANSFORMATIONS_TYPE_URL, REGULAR_STAGE, stagesOf, type CompiledStage, type RequestEntry } from './stages.js';
import { EMPTY_BODY, type CompiledTransformation, type TransformationDefaults } from './transformation.js';

export const TRANSFORMATION_FILTER = 'io.solo.transformation';

/** The filter-level config (our FilterTransformations): the stage and the Settings-wide defaults. */
interface FilterConfig {
  stage?: number;
  logRequestResponseInfo?: boolean;
  escapeCharacters?: boolean;
  autoWebsocketPassthrough?: boolean;
}

/** A route's config for one stage's filter. */
export interface TransformationPerRoute {
  readonly stage: CompiledStage | null;
  /** The regular stage of a route that also has early transformations: match after them. */
  readonly afterEarlier: boolean;
}

const enum ResponseMode {
  None,
  Headers,
  Buffered,
}

function streamInfoOf(cb: FilterCallbacks): StreamInfo | undefined {
  return (cb.res as unknown as Record<symbol, StreamInfo | undefined>)[kStreamInfo];
}

/** Whether a request has a body, from its headers (the body itself is not read). */
function hasRequestBody(h: FilterCallbacks['req']['headers']): boolean {
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

class TransformationFactory implements FilterFactory<TransformationPerRoute> {
  readonly name = TRANSFORMATION_FILTER;
  readonly encodes = true;
  readonly stage: number;
  private readonly defaults: TransformationDefaults;

  constructor(
    typed: TypedConfig,
    readonly logger: Logger,
  ) {
    const t = typed as { '@type'?: string; type_url?: string; value?: unknown };
    if (t.type_url !== undefined && t.type_url !== FILTER_TRANSFORMATIONS_TYPE_URL) {
      throw new Error(`transformation filter config must be ${FILTER_TRANSFORMATIONS_TYPE_URL}, got ${t.type_url}`);
    }
    const c = structToJson(t.value as Record<string, unknown> | undefined) as FilterConfig;
    this.stage = c.stage ?? REGULAR_STAGE;
    if (this.stage !== REGULAR_STAGE && this.stage !== EARLY_STAGE) {
      throw new Error(`transformation stage ${this.stage} is not served by the data plane (0: regular, 1: early)`);
    }
    this.defaults = { escapeCharacters: c.escapeCharacters === true, logRequestResponseInfo: c.logRequestResponseInfo === true };
  }

  compilePerRoute(typed: TypedConfig): TransformationPerRoute {
    const stages = stagesOf(typed);
    const stage = compileStage(stages, this.stage, this.defaults);
    const afterEarlier = this.stage === REGULAR_STAGE && stages.early !== undefined;
    return { stage, afterEarlier };
  }

  create(per: TransformationPerRoute | undefined, cb: FilterCallbacks): StreamFilter | null {
    if (per === undefined || per.stage === null) return null;
    const stage = per.stage;
    if (per.afterEarlier) {
      const hasResponse = stage.responseEntries.length > 0 || stage.requestEntries.some((e) => e.response !== null);
      const mode = !hasResponse ? ResponseMode.None : stage.anyResponseBuffered ? ResponseMode.Buffered : ResponseMode.Headers;
      return make(stage.requestBody !== BodyNeed.Never, mode, this, stage, cb, undefined);
    }
    const entry = stage.requestEntries.length === 0 ? null : stage.matchRequest(cb.req);
    const request = entry?.request ?? null;
    const response = entry?.response ?? null;
    let mode: ResponseMode;
    if (response !== null) mode = buffersResponse(response) ? ResponseMode.Buffered : ResponseMode.Headers;
    else if (stage.responseEntries.length > 0) mode = stage.responseEntriesBuffered ? ResponseMode.Buffered : ResponseMode.Headers;
    else mode = ResponseMode.None;
    if (request === null && mode === ResponseMode.None) return null;
    return make(request !== null && request.needsBody, mode, this, stage, cb, entry);
  }
}

/** The per-request instance. Subclasses below add only the hooks a request needs. */
class TransformationStream {
  /** The matched request entry; undefined until matched (regular stage after an early one). */
  protected entry: RequestEntry | null | undefined;
  /** decodeHeaders ran: the response is ours to transform (as in envoy-gloo). */
  protected decoded = false;
  /** This filter answered the request (400): its response is not transformed. */
  protected failed = false;

  constructor(
    protected readonly factory: TransformationFactory,
    protected readonly stage: CompiledStage,
    protected readonly cb: FilterCallbacks,
    entry: RequestEntry | null | undefined,
  ) {
    this.entry = entry;
  }

  decodeHeaders(cb: FilterCallbacks): FilterStatus {
    this.decoded = true;
    if (this.entry === undefined) this.entry = this.stage.matchRequest(cb.req);
    const t = this.entry?.request ?? null;
    if (t === null || (this as StreamFilter).decodeBody !== undefined) return FilterStatus.Continue;
    this.transformRequest(cb, t, EMPTY_BODY, false);
    return this.failed ? FilterStatus.StopIteration : FilterStatus.Continue;
  }

  protected onRequestBody(body: Buffer, cb: FilterCallbacks): Buffer | undefined {
    const t = this.entry?.request ?? null;
    if (t === null) return undefined;
    return this.transformRequest(cb, t, body, true);
  }

  private transformRequest(cb: FilterCallbacks, t: CompiledTransformation, body: Buffer, buffered: boolean): Buffer | undefined {
    const headers = new RequestHeaders(cb.req);
    if (t.logInfo) this.log('request before transformation', headers.all(), buffered ? body : null);
    let out: Buffer | null;
    try {
      out = t.transform(headers, headers, body, streamInfoOf(cb), true);
    } catch (err) {
      this.fail(cb, err);
      return undefined;
    }
    if (t.logInfo) this.log('request after transformation', headers.all(), out ?? (buffered ? body : null));
    // envoy-gloo: a transformation that leaves no body (and is not passthrough) drops content-type.
    const empty = out !== null ? out.length === 0 : buffered ? body.length === 0 : !hasRequestBody(cb.req.headers);
    if (empty && !t.passthrough) delete cb.req.headers['content-type'];
    const clear = this.entry!.clearRouteCache;
    if (clear || (headers.changes & (RequestChange.Path | RequestChange.Authority)) !== 0) cb.requestRewritten?.(clear);
    return out ?? undefined;
  }

  private fail(cb: FilterCallbacks, err: unknown): void {
    this.failed = true;
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof InjaRenderError)) this.factory.logger.warn('transformation failed; answering 400', { err });
    cb.sendLocalReply(400, textBody(`bad request: ${message}`));
  }

  /** The response transformation for this response, or null. */
  private responseFor(status: number, headers: readonly string[]): CompiledTransformation | null {
    if (!this.decoded || this.failed) return null;
    const fromRequest = this.entry?.response ?? null;
    if (fromRequest !== null) return fromRequest;
    if (this.stage.responseEntries.length === 0) return null;
    return this.stage.matchResponse(status, headers, () => responseCodeDetails(this.cb, streamInfoOf(this.cb)));
  }

  protected onResponseHeaders(status: number, list: string[]): void {
    const t = this.responseFor(status, list);
    if (t === null) return;
    const headers = new ResponseHeaders(status, list, false);
    if (t.logInfo) this.log('response before transformation', headers.all(), null);
    try {
      t.transform(headers, new RequestHeaders(this.cb.req), EMPTY_BODY, streamInfoOf(this.cb), false);
    } catch (err) {
      // The status is already fixed here; envoy-gloo would answer 400 (it buffers the response).
      this.factory.logger.warn('response transformation failed; the response is sent untransformed', { err });
      return;
    }
    if (t.logInfo) this.log('response after transformation', headers.all(), null);
    if (!t.passthrough && (headers.get('content-length') === '0' || status === 204 || status === 304)) headers.remove('content-type');
  }

  protected onBufferedResponse(resp: BufferedResponse): void {
    const t = this.responseFor(resp.status, resp.headers);
    if (t === null) return;
    const headers = new ResponseHeaders(resp.status, resp.headers, true);
    if (t.logInfo) this.log('response before transformation', headers.all(), resp.body);
    let out: Buffer | null;
    try {
      out = t.transform(headers, new RequestHeaders(this.cb.req), resp.body, streamInfoOf(this.cb), false);
    } catch (err) {
      if (!(err instanceof InjaRenderError)) this.factory.logger.warn('response transformation failed; answering 400', { err });
      this.failed = true;
      resp.status = 400;
      resp.body = Buffer.from(`bad request: ${err instanceof Error ? err.message : String(err)}`, 'utf8');
      headers.remove('content-type');
      return;
    }
    resp.status = headers.status;
    if (out !== null) resp.body = out;
    if (t.logInfo) this.log('response after transformation', headers.all(), resp.body);
    if (resp.body.length === 0 && !t.passthrough) headers.remove('content-type');
  }

  private log(what: string, headers: [string, string[]][], body: Buffer | null): void {
    this.factory.logger.debug?.(what, { headers: Object.fromEntries(headers), ...(body !== null ? { body: body.toString('utf8') } : {}) });
  }
}

/**
 * Envoy's response code details, as far as this data plane records the reason: local replies of the
 * router and of filters by their response flag, direct responses, and `via_upstream`.
 */
function responseCodeDetails(cb: FilterCallbacks, info: StreamInfo | undefined): string | null {
  const flags = info?.responseFlags ?? 0;
  if (flags & ResponseFlag.NoRouteFound) return 'route_not_found';
  if (flags & ResponseFlag.NoClusterFound) return 'cluster_not_found';
  if (flags & ResponseFlag.NoHealthyUpstream) return 'no_healthy_upstream';
  if (flags & ResponseFlag.UpstreamRequestTimeout) return 'upstream_response_timeout';
  if (flags & ResponseFlag.FaultInjected) return 'fault_filter_abort';
  if (flags & ResponseFlag.UpstreamOverflow) return 'upstream_reset_before_response_started{overflow}';
  if (flags & (ResponseFlag.UpstreamConnectionFailure | ResponseFlag.UpstreamConnectionTermination)) {
    return 'upstream_reset_before_response_started{connection_failure}';
  }
  const route = cb.route;
  if (route !== null && route.kind !== RouteKind.Forward) return 'direct_response';
  if (info?.upstreamHost != null) return 'via_upstream';
  return null;
}

// ---- the instance shapes: only the hooks a request needs ------------------------------------------

class HeadersOnly extends TransformationStream {}
class HeadersOnlyResponseHeaders extends TransformationStream {
  encodeHeaders(status: number, headers: string[]): void {
    this.onResponseHeaders(status, headers);
  }
}
class HeadersOnlyResponseBody extends TransformationStream {
  encodeBody(resp: BufferedResponse): void {
    this.onBufferedResponse(resp);
  }
}
class WithBody extends TransformationStream {
  decodeBody(body: Buffer, cb: FilterCallbacks): Buffer | undefined {
    return this.onRequestBody(body, cb);
  }
}
class WithBodyResponseHeaders extends WithBody {
  encodeHeaders(status: number, headers: string[]): void {
    this.onResponseHeaders(status, headers);
  }
}
class WithBodyResponseBody extends WithBody {
  encodeBody(resp: BufferedResponse): void {
    this.onBufferedResponse(resp);
  }
}

const SHAPES = [
  [HeadersOnly, HeadersOnlyResponseHeaders, HeadersOnlyResponseBody],
  [WithBody, WithBodyResponseHeaders, WithBodyResponseBody],
] as const;

function make(
  body: boolean,
  mode: ResponseMode,
  factory: TransformationFactory,
  stage: CompiledStage,
  cb: FilterCallbacks,
  entry: RequestEntry | null | undefined,
): StreamFilter {
  const Shape = SHAPES[body ? 1 : 0][mode];
  return new Shape(factory, stage, cb, entry) as StreamFilter;
}

/** Builds the factory of one `io.solo.transformation` filter entry. */
export function transformationFilterFactory(typed: TypedConfig, ctx: FilterBuildContext): FilterFactory {
  return new TransformationFactory(typed, ctx.logger) as FilterFactory;
}
