/**
 * Transformations (transformation.options.gloo.solo.io): Inja-templated rewrites of headers, body and
 * dynamic metadata, run by the `io.solo.transformation` filter. Configured per virtual host, route or
 * weighted destination (`stagedTransformations`, deprecated `transformations`) and by REST functions
 * (an Upstream's `serviceSpec.rest.transformations`, a route's `destinationSpec.rest.responseTransformation`).
 *
 * Example (add a header to every request):
 *   stagedTransformations:
 *     regular:
 *       requestTransforms:
 *       - requestTransformation:
 *           transformationTemplate:
 *             headers: {foo: {text: bar}}
 */
import { str, bool, uint32, arr, map, any, empty, enumOf, obj, type Infer } from '../schema.js';
import { HeaderMatcher, Matcher } from './matchers.js';

/** `{text: "<inja template>"}`. */
export const InjaTemplate = obj({ text: str().supported() });
export type InjaTemplate = Infer<typeof InjaTemplate>;

/**
 * One extractor: source oneof `header: "<name>" | body: {}`, a `regex` (C++ ECMAScript dialect, must
 * match the whole source except in REPLACE_ALL), `subgroup`, `mode` and `replacementText`.
 */
export const Extraction = obj(
  {
    header: str().supported(),
    body: empty().supported(),
    regex: str().supported(),
    subgroup: uint32().supported(),
    replacementText: str().supported(),
    mode: enumOf(['EXTRACT', 'SINGLE_REPLACE', 'REPLACE_ALL'] as const).supported(),
  },
  { oneofs: [['header', 'body']] },
);
export type Extraction = Infer<typeof Extraction>;

export const HeaderToAppend = obj({ key: str().supported(), value: InjaTemplate.supported() });

export const DynamicMetadataValue = obj({
  metadataNamespace: str().supported(),
  key: str().supported(),
  value: InjaTemplate.supported(),
  jsonToProto: bool().supported(),
});

export const MergeJsonKeys = obj({
  jsonKeys: map(obj({ tmpl: InjaTemplate.supported(), overrideEmpty: bool().supported() })).supported(),
});

/**
 * A template transformation (§4.4). Body oneof `body | passthrough | mergeExtractorsToBody |
 * mergeJsonKeys`; unset ⇒ body untouched. A header whose template renders empty is removed.
 */
export const TransformationTemplate = obj(
  {
    advancedTemplates: bool().supported(),
    extractors: map(Extraction).supported(),
    headers: map(InjaTemplate).supported(),
    headersToAppend: arr(HeaderToAppend).supported(),
    headersToRemove: arr(str()).supported(),
    body: InjaTemplate.supported(),
    passthrough: empty().supported(),
    mergeExtractorsToBody: empty().supported(),
    mergeJsonKeys: MergeJsonKeys.supported(),
    parseBodyBehavior: enumOf(['ParseAsJson', 'DontParse'] as const).supported(),
    ignoreErrorOnParse: bool().supported(),
    dynamicMetadataValues: arr(DynamicMetadataValue).supported(),
    escapeCharacters: bool().supported(),
    spanTransformer: obj({ name: InjaTemplate.supported() }).notYet('the data plane has no tracing: the template is validated, no span is renamed'),
  },
  { oneofs: [['body', 'passthrough', 'mergeExtractorsToBody', 'mergeJsonKeys']] },
);
export type TransformationTemplate = Infer<typeof TransformationTemplate>;

/** Replace the body with `{"headers": {...}, "body": "..."}` (plus request metadata when asked). */
export const HeaderBodyTransform = obj({ addRequestMetadata: bool().supported() });

/** One transformation: oneof `transformationTemplate | headerBodyTransform` (XSLT was removed in 1.22). */
export const Transformation = obj(
  {
    transformationTemplate: TransformationTemplate.supported(),
    headerBodyTransform: HeaderBodyTransform.supported(),
    xsltTransformation: any().notYet('XSLT transformations (EE) were removed from Gloo in 1.22; a transformation using one is rejected'),
    logRequestResponseInfo: bool().supported(),
  },
  { oneofs: [['transformationTemplate', 'headerBodyTransform', 'xsltTransformation']] },
);
export type Transformation = Infer<typeof Transformation>;

/**
 * A request-side entry: the first entry whose `matcher` matches (absent ⇒ all) applies its
 * `requestTransformation`, and its `responseTransformation` to the response.
 */
export const RequestMatch = obj({
  matcher: Matcher.supported(),
  clearRouteCache: bool().supported(),
  requestTransformation: Transformation.supported(),
  responseTransformation: Transformation.supported(),
});
export type RequestMatch = Infer<typeof RequestMatch>;

/** A response-side entry, matched on response headers (e.g. `:status`) or `responseCodeDetails`. */
export const ResponseMatch = obj({
  matchers: arr(HeaderMatcher).supported(),
  responseCodeDetails: str().partial(
    'matched against the details the data plane records: via_upstream, direct_response, route_not_found, cluster_not_found, ' +
      'no_healthy_upstream, upstream_response_timeout, fault_filter_abort, upstream_reset_before_response_started{overflow|connection_failure}',
  ),
  responseTransformation: Transformation.supported(),
});
export type ResponseMatch = Infer<typeof ResponseMatch>;

export const RequestResponseTransformations = obj({
  requestTransforms: arr(RequestMatch).supported(),
  responseTransforms: arr(ResponseMatch).supported(),
});
export type RequestResponseTransformations = Infer<typeof RequestResponseTransformations>;

/** `stagedTransformations`: `early` (before auth), `regular` (after auth), `postRouting` (EE). */
export const TransformationStages = obj({
  early: RequestResponseTransformations.supported(),
  regular: RequestResponseTransformations.supported(),
  postRouting: RequestResponseTransformations.notYet('EE post-routing transformations (an upstream filter) are validated and translated, not run by the data plane'),
  inheritTransformation: bool().supported(),
  logRequestResponseInfo: bool().supported(),
  escapeCharacters: bool().supported(),
});
export type TransformationStages = Infer<typeof TransformationStages>;

/** Deprecated `transformations`: ignored when `stagedTransformations.regular` is set. */
export const Transformations = obj({
  requestTransformation: Transformation.supported(),
  responseTransformation: Transformation.supported(),
  clearRouteCache: bool().supported(),
});
export type Transformations = Infer<typeof Transformations>;
