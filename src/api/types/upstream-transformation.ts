/**
 * TransformationTemplate (envoy.api.v2.filter.http, §4.4) as the Upstream function specs and REST
 * destination specs use it (`serviceSpec.rest.transformations`, `destinationSpec.rest.responseTransformation`).
 *
 * The transformation types belong in `./transformation.ts`; until that file exists they are defined
 * here with the same shape.
 */
import { str, bool, uint32, arr, map, empty, enumOf, type Infer } from '../schema.js';
import { notYetObj } from './upstream-common.js';

const NOTE = 'ignored: transformations are not implemented yet';

/** `{text: "<inja template>"}`. */
export const InjaTemplate = notYetObj(NOTE, { text: str() });

/** `{header | body: {}, regex, subgroup, replacementText, mode: EXTRACT|SINGLE_REPLACE|REPLACE_ALL}`. */
export const Extraction = notYetObj(
  NOTE,
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

/**
 * Example (a discovered petstore function):
 *   `{headers: {':method': {text: GET}, ':path': {text: '/api/pets/{{ default(id, "") }}'}}, passthrough: {}}`
 * Body oneof: body | passthrough | mergeExtractorsToBody | mergeJsonKeys.
 */
export const TransformationTemplate = notYetObj(
  NOTE,
  {
    advancedTemplates: bool(),
    extractors: map(Extraction),
    headers: map(InjaTemplate),
    headersToAppend: arr(notYetObj(NOTE, { key: str(), value: InjaTemplate })),
    headersToRemove: arr(str()),
    body: InjaTemplate,
    passthrough: empty(),
    mergeExtractorsToBody: empty(),
    mergeJsonKeys: notYetObj(NOTE, {
      jsonKeys: map(notYetObj(NOTE, { tmpl: InjaTemplate, overrideEmpty: bool() })),
    }),
    parseBodyBehavior: enumOf(['ParseAsJson', 'DontParse'] as const),
    ignoreErrorOnParse: bool(),
    dynamicMetadataValues: arr(
      notYetObj(NOTE, { metadataNamespace: str(), key: str(), value: InjaTemplate, jsonToProto: bool() }),
    ),
    escapeCharacters: bool(),
    spanTransformer: notYetObj(NOTE, { name: InjaTemplate }),
  },
  { oneofs: [['body', 'passthrough', 'mergeExtractorsToBody', 'mergeJsonKeys']] },
);
export type TransformationTemplate = Infer<typeof TransformationTemplate>;
