/**
 * Gloo's template engine: Inja 3.4 as envoy-gloo runs it (solo-io's fork with JSON-pointer variables
 * and escaped strings, on nlohmann::json), with Gloo's functions. See docs/transformations.md for the
 * language and the known differences from Gloo.
 *
 *   const env = new InjaEnvironment({ advancedTemplates, escapeCharacters });   // per TransformationTemplate
 *   const tmpl = env.compile(text);            // config time; throws TemplateError
 *   const json = parseJson(bodyText);          // per request; throws InjaRenderError (→ 400)
 *   tmpl.render(ctx);                          // per request; ctx implements InjaContext
 */
export { InjaEnvironment, InjaTemplate, type InjaOptions } from './environment.js';
export type { InjaContext, FilterMetadata, MetadataStruct, MetadataValue } from './context.js';
export { TemplateError, InjaRenderError, type TemplateErrorCode, type RenderErrorCode } from './errors.js';
export { parseJson } from './json-parse.js';
export { setExtraction } from './body-context.js';
export { JsonFloat, dumpJson, printValue, type JsonValue, type JsonObject } from './json-value.js';
export { TRANSFORMATION_NAMESPACE } from './gloo-functions.js';
export { MAX_RANGE } from './compile.js';
export type { TemplateUsage } from './usage.js';
