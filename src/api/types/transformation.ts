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
import { str, bool, uint32, arr, map, any, empty, enumOf, type Infer } from '../schema.js';
import { HeaderMatcher, Matcher } from './matchers.js';
import { notYetObj } from './field-support.js';

/** `{text: "<inja template>"}`. */
export const InjaTemplate = notYetObj('ignored', { text: str() });
export type InjaTemplate = Infer<typeof InjaTemplate>;

/**
 * One extractor: source oneof `header: "<name>" | body: {}`, a `regex` (C++ ECMAScript dialect, must
 * match the whole source except in REPLACE_ALL), `subgroup`, `mode` and `replacementText`.
 */
export const Extraction = notYetObj(
  'ignored',
  {
    header: str(),
    body: empty(),
    regex: str(),
    subgroup: uint32(),
    replacementText: str(),
    mode: enumOf(['EXTRACT', 'SINGLE_REPLACE', 'REPLACE_ALL'] as const),
  },
  { oneofs: [['header', 'body']] },
);
export type Extraction = Infer<typeof Extraction>;

export const HeaderToAppend = notYetObj('ignored', { key: str(), value: InjaTemplate });

export const DynamicMetadataValue = notYetObj('ignored', {
  metadataNamespace: str(),
  key: str(),
  value: InjaTemplate,
  jsonToProto: bool(),
});

export const MergeJsonKeys = notYetObj('ignored', {
  jsonKeys: map(notYetObj('ignored', { tmpl: InjaTemplate, overrideEmpty: bool() })),
});

/**
 * A template transformation (§4.4). Body oneof `body | passthrough | mergeExtractorsToBody |
 * mergeJsonKeys`; unset ⇒ body untouched. A header whose template renders empty is removed.
 */
export const TransformationTemplate = notYetObj(
  'ignored',
  {
    advancedTemplates: bool(),
    extractors: map(Extraction),
    headers: map(InjaTemplate),
    headersToAppend: arr(HeaderToAppend),
    headersToRemove: arr(str()),
    body: InjaTemplate,
    passthrough: empty(),
    mergeExtractorsToBody: empty(),
    mergeJsonKeys: MergeJsonKeys,
    parseBodyBehavior: enumOf(['ParseAsJson', 'DontParse'] as const),
    ignoreErrorOnParse: bool(),
    dynamicMetadataValues: arr(DynamicMetadataValue),
    escapeCharacters: bool(),
    spanTransformer: notYetObj('ignored', { name: InjaTemplate }),
  },
  { oneofs: [['body', 'passthrough', 'mergeExtractorsToBody', 'mergeJsonKeys']] },
);
export type TransformationTemplate = Infer<typeof TransformationTemplate>;

/** Replace the body with `{"headers": {...}, "body": "..."}` (plus request metadata when asked). */
export const HeaderBodyTransform = notYetObj('ignored', { addRequestMetadata: bool() });

/** One transformation: oneof `transformationTemplate | headerBodyTransform` (XSLT was removed in 1.22). */
export const Transformation = notYetObj(
  'ignored',
  {
    transformationTemplate: TransformationTemplate,
    headerBodyTransform: HeaderBodyTransform,
    xsltTransformation: any().notYet('XSLT transformations (EE) were removed from Gloo in 1.22; the field is ignored'),
    logRequestResponseInfo: bool(),
  },
  { oneofs: [['transformationTemplate', 'headerBodyTransform', 'xsltTransformation']] },
);
export type Transformation = Infer<typeof Transformation>;

/**
 * A request-side entry: the first entry whose `matcher` matches (absent ⇒ all) applies its
 * `requestTransformation`, and its `responseTransformation` to the response.
 */
export const RequestMatch = notYetObj('ignored', {
  matcher: Matcher,
  clearRouteCache: bool(),
  requestTransformation: Transformation,
  responseTransformation: Transformation,
});
export type RequestMatch = Infer<typeof RequestMatch>;

/** A response-side entry, matched on response headers (e.g. `:status`) or `responseCodeDetails`. */
export const ResponseMatch = notYetObj('ignored', {
  matchers: arr(HeaderMatcher),
  responseCodeDetails: str(),
  responseTransformation: Transformation,
});
export type ResponseMatch = Infer<typeof ResponseMatch>;

export const RequestResponseTransformations = notYetObj('ignored', {
  requestTransforms: arr(RequestMatch),
  responseTransforms: arr(ResponseMatch),
});
export type RequestResponseTransformations = Infer<typeof RequestResponseTransformations>;

/** `stagedTransformations`: `early` (before auth), `regular` (after auth), `postRouting` (EE). */
export const TransformationStages = notYetObj('ignored', {
  early: RequestResponseTransformations,
  regular: RequestResponseTransformations,
  postRouting: RequestResponseTransformations,
  inheritTransformation: bool(),
  logRequestResponseInfo: bool(),
  escapeCharacters: bool(),
});
export type TransformationStages = Infer<typeof TransformationStages>;

/** Deprecated `transformations`: ignored when `stagedTransformations.regular` is set. */
export const Transformations = notYetObj('ignored', {
  requestTransformation: Transformation,
  responseTransformation: Transformation,
  clearRouteCache: bool(),
});
export type Transformations = Infer<typeof Transformations>;
