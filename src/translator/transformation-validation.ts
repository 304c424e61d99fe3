/**
 * Config-time validation of transformations, so that a bad template makes its VirtualService
 * Rejected instead of failing requests: every template is compiled with the engine the data plane
 * runs (src/transform/inja), every extractor with the data plane's extractor compiler, and Gloo's own
 * translator checks are applied. Messages carry Gloo's / envoy-gloo's wording behind the path of the
 * transformation in the user's YAML, e.g.
 *   `stagedTransformations.regular.requestTransforms[0].requestTransformation: Failed to parse request
 *    template: Failed to parse header template 'x-user': [inja.exception.parser_error] (at 1:12) unknown function uppr`
 * Used by both stages: the gateway translator checks a VirtualService's (and its RouteTables') options
 * so that a bad one keeps its last accepted version; the gloo translator's transformation plugin
 * checks whatever reaches it (UpstreamGroup destinations, Proxies written by hand).
 * Template results are cached by text (bounded), so a template repeated on many routes compiles once.
 */
import RE2 from 're2';
import type { Matcher } from '../api/types/matchers.js';
import type { RequestResponseTransformations, Transformation, TransformationStages, Transformations, TransformationTemplate } from '../api/types/transformation.js';
import { CompiledExtractor } from '../transform/extractor.js';
import { InjaEnvironment } from '../transform/inja/index.js';

const MAX_CACHED = 10_000;
const templateErrors = new Map<string, string | null>();
const environments = [new InjaEnvironment({ advancedTemplates: false }), new InjaEnvironment({ advancedTemplates: true })] as const;

/** The engine's message for a template that does not compile, or null. */
function templateError(text: string, advanced: boolean): string | null {
  const key = `${advanced ? 1 : 0}${text}`;
  const hit = templateErrors.get(key);
  if (hit !== undefined) return hit;
  let err: string | null = null;
  try {
    environments[advanced ? 1 : 0].compile(text);
  } catch (e) {
    err = (e as Error).message;
  }
  if (templateErrors.size >= MAX_CACHED) templateErrors.clear();
  templateErrors.set(key, err);
  return err;
}

function regexProblem(pattern: string): string | null {
  try {
    new RE2(pattern);
    return null;
  } catch (e) {
    return `invalid regex ${JSON.stringify(pattern)}: ${(e as Error).message}`;
  }
}

export interface ValidationOptions {
  /** `settings.gateway.validation.disableTransformationValidation`: templates are not compiled. */
  skipTemplates: boolean;
}

/** The problems of one TransformationTemplate (envoy-gloo's wording, without the request/response prefix). */
function templateProblems(t: TransformationTemplate, opts: ValidationOptions): string[] {
  const out: string[] = [];
  const advanced = t.advancedTemplates === true;
  for (const [name, e] of Object.entries(t.extractors ?? {})) {
    try {
      CompiledExtractor.compile(name, e);
    } catch (err) {
      out.push((err as Error).message);
    }
  }
  if (t.mergeJsonKeys !== undefined) {
    if (advanced) out.push('merge_json_keys is not supported with advanced templates');
    if ((t.parseBodyBehavior ?? 'ParseAsJson') !== 'ParseAsJson') out.push('merge_json_keys is only supported with parse_body_behavior set to PARSE_AS_JSON');
    for (const key of Object.keys(t.mergeJsonKeys.jsonKeys ?? {})) {
      if (key.includes('.')) out.push(`merge_json_keys key ${key} contains a period, which is not currently supported`);
    }
  }
  for (const [i, m] of (t.dynamicMetadataValues ?? []).entries()) {
    if (!m.key) out.push(`dynamicMetadataValues[${i}].key is required`);
  }
  if (opts.skipTemplates) return out;
  const check = (text: string | undefined, what: string): void => {
    const err = templateError(text ?? '', advanced);
    if (err !== null) out.push(`${what}${err}`);
  };
  for (const [name, h] of Object.entries(t.headers ?? {})) check(h.text, `Failed to parse header template '${name}': `);
  for (const h of t.headersToAppend ?? []) check(h.value?.text, `Failed to parse header template '${h.key ?? ''}': `);
  for (const m of t.dynamicMetadataValues ?? []) check(m.value?.text, `Failed to parse dynamic metadata template '${m.key ?? ''}': `);
  if (t.body !== undefined) check(t.body.text, 'Failed to parse body template ');
  for (const [key, k] of Object.entries(t.mergeJsonKeys?.jsonKeys ?? {})) check(k.tmpl?.text, `Failed to parse merge_body_key template for key: (${key}): `);
  if (t.spanTransformer?.name !== undefined) check(t.spanTransformer.name.text, 'Failed to parse span name template ');
  return out;
}

/** The problems of one Transformation; `prefix` is envoy-gloo's `Failed to parse request template: `… */
function transformationProblems(t: Transformation | undefined, prefix: string, opts: ValidationOptions, response: boolean): string[] {
  if (t === undefined) return [];
  if (t.transformationTemplate !== undefined) {
    const out = templateProblems(t.transformationTemplate, opts).map((p) => prefix + p);
    if (response && t.transformationTemplate.spanTransformer !== undefined) {
      out.push('unable to create span transformer: spanTransformer cannot be set on a responseTransformation');
    }
    return out;
  }
  if (t.headerBodyTransform !== undefined) return [];
  if (t.xsltTransformation !== undefined) {
    return ['xsltTransformation is not supported: XSLT transformations (Gloo Enterprise) were removed in Gloo 1.22'];
  }
  return ['unknown transformation type <nil>'];
}

function matcherProblems(m: Matcher | undefined): string[] {
  if (m === undefined) return [];
  const out: string[] = [];
  if (m.prefix === undefined && m.exact === undefined && m.regex === undefined) {
    out.push(m.connectMatcher !== undefined ? 'connectMatcher is not supported in transformation matchers' : 'matcher has no path specifier (prefix, exact or regex)');
  }
  const patterns = [m.regex, ...(m.headers ?? []).map((h) => (h.regex ? h.value : undefined)), ...(m.queryParameters ?? []).map((q) => (q.regex ? q.value : undefined))];
  for (const p of patterns) {
    const err = p === undefined ? null : regexProblem(p);
    if (err !== null) out.push(err);
  }
  return out;
}

function stageProblems(s: RequestResponseTransformations | undefined, at: string, opts: ValidationOptions): string[] {
  if (s === undefined) return [];
  const out: string[] = [];
  (s.requestTransforms ?? []).forEach((r, i) => {
    const p = `${at}.requestTransforms[${i}]`;
    for (const e of matcherProblems(r.matcher)) out.push(`${p}.matcher: ${e}`);
    for (const e of transformationProblems(r.requestTransformation, 'Failed to parse request template: ', opts, false)) out.push(`${p}.requestTransformation: ${e}`);
    for (const e of transformationProblems(r.responseTransformation, 'Failed to parse response template: ', opts, true)) out.push(`${p}.responseTransformation: ${e}`);
  });
  (s.responseTransforms ?? []).forEach((r, i) => {
    const p = `${at}.responseTransforms[${i}]`;
    for (const h of r.matchers ?? []) {
      const err = h.regex && h.value ? regexProblem(h.value) : null;
      if (err !== null) out.push(`${p}.matchers: ${err}`);
    }
    for (const e of transformationProblems(r.responseTransformation, 'Failed to parse response template on response matcher: ', opts, false)) {
      out.push(`${p}.responseTransformation: ${e}`);
    }
  });
  return out;
}

/**
 * Every problem of the transformations of one set of options (virtual host, route or weighted
 * destination), each prefixed with its path in the options. The deprecated `transformations` are
 * checked when they are used (no `stagedTransformations.regular`), as Gloo translates them.
 */
export function transformationOptionProblems(
  o: { stagedTransformations?: TransformationStages | undefined; transformations?: Transformations | undefined } | undefined,
  opts: ValidationOptions,
): string[] {
  if (o === undefined) return [];
  const out: string[] = [];
  const staged = o.stagedTransformations;
  const legacy = o.transformations;
  if (legacy !== undefined && staged?.regular === undefined) {
    for (const e of transformationProblems(legacy.requestTransformation, 'Failed to parse request template: ', opts, false)) out.push(`transformations.requestTransformation: ${e}`);
    for (const e of transformationProblems(legacy.responseTransformation, 'Failed to parse response template: ', opts, true)) out.push(`transformations.responseTransformation: ${e}`);
  }
  if (staged !== undefined) {
    out.push(...stageProblems(staged.early, 'stagedTransformations.early', opts));
    out.push(...stageProblems(staged.regular, 'stagedTransformations.regular', opts));
    out.push(...stageProblems(staged.postRouting, 'stagedTransformations.postRouting', opts));
  }
  return out;
}
