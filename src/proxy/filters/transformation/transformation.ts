/**
 * One Gloo `Transformation` compiled for the data plane (spec §4.3–4.5): a `transformationTemplate`
 * (extractors, header / body / dynamic-metadata templates on the Inja engine) or a
 * `headerBodyTransform`, with envoy-gloo's order of effects inside one transformation:
 *   parse the body (ParseAsJson) → run the extractors → render the body (not applied yet) → dynamic
 *   metadata → `headers` (each rendered, old values removed, set unless empty) → `headersToRemove`
 *   → `headersToAppend` (skipped when empty) → replace the body.
 * So header and metadata templates see the original body (and the context with `mergeJsonKeys` keys).
 *
 * Everything is compiled once per route; `transform` runs per request and throws on a render error,
 * a body that is not JSON (unless `ignoreErrorOnParse`), a JSON type error… — the filter answers 400.
 *
 * `needsBody` says whether the transformation reads or replaces the body. Templates that read only
 * headers and extractor values do not: the filter then runs them on the headers without buffering
 * (envoy-gloo buffers every body unless `passthrough`; see docs/transformations.md).
 */
import { InjaEnvironment, InjaTemplate, TemplateError, dumpJson, parseJson, setExtraction, type InjaContext, type JsonObject, type JsonValue, type MetadataStruct } from '../../../transform/inja/index.js';
import { jsonError } from '../../../transform/inja/errors.js';
import { isObject, putOwn, typeName } from '../../../transform/inja/json-value.js';
import { CompiledExtractor, type ExtractionConfig } from '../../../transform/extractor.js';
import { TRANSFORMATION_NAMESPACE } from '../../../transform/inja/gloo-functions.js';
import type { StreamInfo } from '../../http/stream-info.js';
import type { StructValue } from '../../../xds/envoy-types.js';
import type { HeaderAccess } from './headers.js';

// ---- the configuration (Gloo's JSON form, camelCase) ---------------------------------------------

interface TemplateText {
  text?: string;
}

export interface TransformationTemplateConfig {
  advancedTemplates?: boolean;
  extractors?: Record<string, ExtractionConfig>;
  headers?: Record<string, TemplateText>;
  headersToAppend?: { key?: string; value?: TemplateText }[];
  headersToRemove?: string[];
  body?: TemplateText;
  passthrough?: object;
  mergeExtractorsToBody?: object;
  mergeJsonKeys?: { jsonKeys?: Record<string, { tmpl?: TemplateText; overrideEmpty?: boolean }> };
  parseBodyBehavior?: 'ParseAsJson' | 'DontParse' | number;
  ignoreErrorOnParse?: boolean;
  dynamicMetadataValues?: { metadataNamespace?: string; key?: string; value?: TemplateText; jsonToProto?: boolean }[];
  escapeCharacters?: boolean;
  spanTransformer?: { name?: TemplateText };
}

export interface TransformationConfig {
  transformationTemplate?: TransformationTemplateConfig;
  headerBodyTransform?: { addRequestMetadata?: boolean };
  xsltTransformation?: unknown;
  logRequestResponseInfo?: boolean;
}

/** Defaults a transformation inherits: `escapeCharacters` and logging from its stages and the filter. */
export interface TransformationDefaults {
  escapeCharacters: boolean;
  logRequestResponseInfo: boolean;
}

/** A transformation that cannot be compiled; the message says which template and where. */
export class TransformationConfigError extends Error {
  override readonly name = 'TransformationConfigError';
}

// ---- the per-request render context ----------------------------------------------------------------

const EMPTY = Buffer.alloc(0);

/** The InjaContext of one transformation run. */
class Run implements InjaContext {
  json: JsonValue = null;
  private text: string | null = null;

  constructor(
    private readonly headers: HeaderAccess,
    private readonly request: HeaderAccess,
    private readonly raw: Buffer,
    readonly extractions: Map<string, string> | null,
    private readonly info: StreamInfo | undefined,
  ) {}

  header(name: string): string | undefined {
    return this.headers.get(name);
  }

  requestHeader(name: string): string | undefined {
    return this.request.get(name);
  }

  extraction(name: string): string | undefined {
    return this.extractions?.get(name);
  }

  body(): string {
    return (this.text ??= this.raw.length === 0 ? '' : this.raw.toString('utf8'));
  }

  dynamicMetadata(): Record<string, MetadataStruct> | undefined {
    return this.info?.dynamicMetadata ?? undefined;
  }
}

function render(t: InjaTemplate, ctx: Run): string {
  return t.constant ?? t.render(ctx);
}

// ---- compiled transformations ----------------------------------------------------------------------

export abstract class CompiledTransformation {
  /** Reads or replaces the body: the filter buffers it. */
  abstract readonly needsBody: boolean;
  /** `passthrough: {}`: the body is neither buffered nor touched. */
  abstract readonly passthrough: boolean;
  /** Sets `:status` (a response transformation that does must see the response before it is written). */
  abstract readonly setsStatus: boolean;
  /** `logRequestResponseInfo` (the transformation's, its stages' or the filter's). */
  abstract readonly logInfo: boolean;

  /**
   * Transforms one message in place. `body` is the buffered body (empty when not buffered);
   * returns the new body, or null when it is unchanged. Throws when the request must be refused.
   */
  abstract transform(headers: HeaderAccess, request: HeaderAccess, body: Buffer, info: StreamInfo | undefined, isRequest: boolean): Buffer | null;
}

const enum BodyKind {
  Untouched,
  Template,
  Passthrough,
  MergeExtractors,
  MergeJsonKeys,
}

interface MetadataEntry {
  ns: string;
  key: string;
  tmpl: InjaTemplate;
  jsonToProto: boolean;
}

class TemplateTransformation extends CompiledTransformation {
  readonly needsBody: boolean;
  readonly passthrough: boolean;
  readonly setsStatus: boolean;
  private readonly advanced: boolean;
  private readonly parse: boolean;
  private readonly ignoreErrorOnParse: boolean;
  private readonly extractors: CompiledExtractor[];
  private readonly headers: [string, InjaTemplate][];
  private readonly headersToRemove: string[];
  private readonly headersToAppend: [string, InjaTemplate][];
  private readonly bodyKind: BodyKind;
  private readonly bodyTemplate: InjaTemplate | null;
  private readonly mergeKeys: [string, boolean, InjaTemplate][];
  private readonly metadata: MetadataEntry[];

  constructor(
    c: TransformationTemplateConfig,
    defaults: TransformationDefaults,
    readonly logInfo: boolean,
  ) {
    super();
    this.advanced = c.advancedTemplates === true;
    const behavior = c.parseBodyBehavior ?? 'ParseAsJson';
    this.parse = behavior === 'ParseAsJson' || behavior === 0;
    this.ignoreErrorOnParse = c.ignoreErrorOnParse === true;
    const env = new InjaEnvironment({ advancedTemplates: this.advanced, escapeCharacters: c.escapeCharacters ?? defaults.escapeCharacters });
    const compile = (text: string | undefined, what: (e: TemplateError | Error) => string): InjaTemplate => {
      try {
        return env.compile(text ?? '');
      } catch (err) {
        throw new TransformationConfigError(what(err as Error));
      }
    };
    this.extractors = Object.entries(c.extractors ?? {}).map(([name, e]) => {
      try {
        return CompiledExtractor.compile(name, e);
      } catch (err) {
        throw new TransformationConfigError((err as Error).message);
      }
    });
    this.headers = Object.entries(c.headers ?? {}).map(([name, t]) => [
      name.toLowerCase(),
      compile(t.text, (e) => `Failed to parse header template '${name}': ${e.message}`),
    ]);
    this.headersToRemove = (c.headersToRemove ?? []).map((n) => n.toLowerCase());
    this.headersToAppend = (c.headersToAppend ?? []).map((h) => [
      (h.key ?? '').toLowerCase(),
      compile(h.value?.text, (e) => `Failed to parse header template '${h.key ?? ''}': ${e.message}`),
    ]);
    this.metadata = (c.dynamicMetadataValues ?? []).map((m) => ({
      ns: m.metadataNamespace || TRANSFORMATION_NAMESPACE,
      key: m.key ?? '',
      tmpl: compile(m.value?.text, (e) => `Failed to parse dynamic metadata template '${m.key ?? ''}': ${e.message}`),
      jsonToProto: m.jsonToProto === true,
    }));
    this.bodyTemplate = null;
    this.mergeKeys = [];
    if (c.body !== undefined) {
      this.bodyKind = BodyKind.Template;
      this.bodyTemplate = compile(c.body.text, (e) => `Failed to parse body template ${e.message}`);
    } else if (c.passthrough !== undefined) this.bodyKind = BodyKind.Passthrough;
    else if (c.mergeExtractorsToBody !== undefined) this.bodyKind = BodyKind.MergeExtractors;
    else if (c.mergeJsonKeys !== undefined) {
      this.bodyKind = BodyKind.MergeJsonKeys;
      if (!this.parse) throw new TransformationConfigError('MergeJsonKeys requires parsing the body');
      if (this.advanced) throw new TransformationConfigError('MergeJsonKeys is not supported with advanced templates');
      for (const [name, k] of Object.entries(c.mergeJsonKeys.jsonKeys ?? {})) {
        if (name.includes('.')) throw new TransformationConfigError(`Invalid key name for merge_json_keys: (${name})`);
        this.mergeKeys.push([name, k.overrideEmpty === true, compile(k.tmpl?.text, (e) => `Failed to parse merge_body_key template for key: (${name}): ${e.message}`)]);
      }
    } else this.bodyKind = BodyKind.Untouched;
    // Compiled for validation only: the data plane has no tracing spans to rename.
    if (c.spanTransformer?.name !== undefined) compile(c.spanTransformer.name.text, (e) => `Failed to parse span name template ${e.message}`);

    this.passthrough = this.bodyKind === BodyKind.Passthrough;
    this.setsStatus = this.headers.some(([n]) => n === ':status') || this.headersToAppend.some(([n]) => n === ':status');
    const templates = [
      ...this.headers.map(([, t]) => t),
      ...this.headersToAppend.map(([, t]) => t),
      ...this.metadata.map((m) => m.tmpl),
      ...this.mergeKeys.map(([, , t]) => t),
      ...(this.bodyTemplate !== null ? [this.bodyTemplate] : []),
    ];
    const extracted = new Set(this.extractors.map((e) => e.name));
    const readsBody = templates.some((t) => t.usage.body);
    const readsContext = templates.some((t) => t.usage.wholeContext || [...t.usage.variables].some((v) => this.advanced || !extracted.has(v)));
    this.needsBody =
      !this.passthrough &&
      (this.bodyKind !== BodyKind.Untouched || this.extractors.some((e) => e.fromBody) || readsBody || (this.parse && readsContext));
  }

  transform(headers: HeaderAccess, request: HeaderAccess, body: Buffer, info: StreamInfo | undefined, _isRequest: boolean): Buffer | null {
    const ctx = new Run(headers, request, body, this.advanced && this.extractors.length > 0 ? new Map() : null, info);
    if (this.parse && body.length > 0) {
      if (this.ignoreErrorOnParse) {
        try {
          ctx.json = parseJson(body);
        } catch {
          ctx.json = null;
        }
      } else ctx.json = parseJson(body);
    }
    for (const e of this.extractors) {
      const input = e.header === null ? ctx.body() : (headers.get(e.header) ?? null);
      // A missing header extracts "" without running the regex (envoy-gloo).
      const value = input === null ? '' : e.run(input);
      if (ctx.extractions !== null) ctx.extractions.set(e.name, value);
      else ctx.json = setExtraction(ctx.json, e.name, value);
    }
    let newBody: string | null = null;
    switch (this.bodyKind) {
      case BodyKind.Template:
        newBody = render(this.bodyTemplate!, ctx);
        break;
      case BodyKind.MergeExtractors:
        newBody = dumpJson(ctx.json);
        break;
      case BodyKind.MergeJsonKeys: {
        for (const [name, overrideEmpty, t] of this.mergeKeys) {
          const out = render(t, ctx);
          if (out.length > 0 || overrideEmpty) {
            const value = parseJson(out);
            const root = objectForMerge(ctx.json);
            putOwn(root, name, value);
            ctx.json = root;
          }
        }
        newBody = dumpJson(ctx.json);
        break;
      }
      default:
        break;
    }
    if (this.metadata.length > 0) {
      for (const m of this.metadata) {
        const out = render(m.tmpl, ctx);
        if (out !== '') setDynamicMetadata(info, m.ns, m.key, m.jsonToProto ? jsonToValue(out) : { stringValue: out });
      }
    }
    for (const [name, t] of this.headers) {
      const out = render(t, ctx);
      headers.remove(name);
      if (out !== '') headers.set(name, out);
    }
    for (const name of this.headersToRemove) headers.remove(name);
    for (const [name, t] of this.headersToAppend) {
      const out = render(t, ctx);
      if (out !== '') headers.append(name, out);
    }
    if (newBody === null) return null;
    const buf = Buffer.from(newBody, 'utf8');
    headers.set('content-length', String(buf.length));
    return buf;
  }
}

/** nlohmann's `json_body[name] = …` on the context: null becomes an object; other non-objects are a type error. */
function objectForMerge(v: JsonValue): JsonObject {
  if (v === null) return {};
  if (isObject(v)) return v;
  throw jsonError('type_error.305', `cannot use operator[] with a string argument with ${typeName(v)}`);
}

/**
 * headerBodyTransform: the body becomes `{"headers": {…}, "body": "<original>"}` (content-type
 * application/json); with `addRequestMetadata`, on requests, also the API-Gateway-like fields
 * `queryString`, `queryStringParameters`, `multiValueQueryStringParameters`, `httpMethod`, `path` and
 * `multiValueHeaders`. A repeated header or parameter gives its last value in the single-value maps.
 */
class HeaderBodyTransformation extends CompiledTransformation {
  readonly needsBody = true;
  readonly passthrough = false;
  readonly setsStatus = false;

  constructor(
    private readonly addRequestMetadata: boolean,
    readonly logInfo: boolean,
  ) {
    super();
  }

  transform(headers: HeaderAccess, _request: HeaderAccess, body: Buffer, _info: StreamInfo | undefined, isRequest: boolean): Buffer {
    const out: JsonObject = {};
    if (body.length > 0) out.body = body.toString('utf8');
    const single: JsonObject = {};
    const multi: JsonObject = {};
    for (const [name, values] of headers.all()) {
      // envoy-gloo's map: the last value wins; a value seen after a non-empty one starts a list.
      for (const v of values) {
        const prev = single[name];
        single[name] = v;
        if (this.addRequestMetadata && typeof prev === 'string' && prev !== '') {
          const list = (multi[name] as string[] | undefined) ?? [prev];
          list.push(v);
          multi[name] = list;
        }
      }
    }
    out.headers = single;
    if (this.addRequestMetadata && isRequest) {
      out.multiValueHeaders = multi;
      const target = headers.get(':path') ?? '';
      const q = target.indexOf('?');
      const query = q === -1 ? '' : target.slice(q + 1);
      out.queryString = query;
      out.httpMethod = headers.get(':method') ?? '';
      out.path = q === -1 ? target : target.slice(0, q);
      const params: JsonObject = {};
      const multiParams: JsonObject = {};
      for (const [k, v] of parseQuery(query)) {
        const prev = params[k];
        params[k] = v;
        if (typeof prev === 'string' && prev !== '') {
          const list = (multiParams[k] as string[] | undefined) ?? [prev];
          list.push(v);
          multiParams[k] = list;
        }
      }
      out.queryStringParameters = params;
      out.multiValueQueryStringParameters = multiParams;
    }
    const buf = Buffer.from(dumpJson(out), 'utf8');
    headers.set('content-type', 'application/json');
    headers.set('content-length', String(buf.length));
    return buf;
  }
}

/** envoy-gloo's parse_parameters: `&`-separated; names and values percent-decoded when there is a `=`. */
function parseQuery(query: string): [string, string][] {
  const out: [string, string][] = [];
  let start = 0;
  while (start < query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const eq = query.indexOf('=', start);
    if (eq !== -1 && eq < end) out.push([percentDecode(query.slice(start, eq)), percentDecode(query.slice(eq + 1, end))]);
    else out.push([query.slice(start, end), '']);
    start = end + 1;
  }
  return out;
}

/** Envoy's PercentEncoding::decode: `%XX` decoded, everything else (`+` included) kept. */
function percentDecode(s: string): string {
  if (s.indexOf('%') === -1) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const b = Buffer.from(s[i]!, 'utf8');
      for (const x of b) bytes.push(x);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// ---- dynamic metadata ------------------------------------------------------------------------------

/** Merges `key` into the stream's dynamic metadata namespace `ns` (Envoy's setDynamicMetadata). */
export function setDynamicMetadata(info: StreamInfo | undefined, ns: string, key: string, value: StructValue): void {
  if (info === undefined) return;
  const all = (info.dynamicMetadata ??= {});
  const struct = (all[ns] ??= { fields: {} });
  struct.fields[key] = value;
}

/** `jsonToProto`: the rendered text as a protobuf Value when it is JSON, else as a string. */
function jsonToValue(text: string): StructValue {
  try {
    return toValue(JSON.parse(text) as unknown);
  } catch {
    return { stringValue: text };
  }
}

function toValue(v: unknown): StructValue {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  const fields: Record<string, StructValue> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) fields[k] = toValue(x);
  return { structValue: { fields } };
}

// ---- compiling ---------------------------------------------------------------------------------------

/**
 * Compiles one Gloo Transformation. Throws TransformationConfigError (Gloo's and envoy-gloo's wording).
 * Example: `compileTransformation({transformationTemplate: {headers: {x: {text: '{{ header("y") }}'}}}}, defaults)`.
 */
export function compileTransformation(c: TransformationConfig, defaults: TransformationDefaults): CompiledTransformation {
  const logInfo = c.logRequestResponseInfo === true || defaults.logRequestResponseInfo;
  if (c.transformationTemplate !== undefined) return new TemplateTransformation(c.transformationTemplate, defaults, logInfo);
  if (c.headerBodyTransform !== undefined) return new HeaderBodyTransformation(c.headerBodyTransform.addRequestMetadata === true, logInfo);
  if (c.xsltTransformation !== undefined) {
    throw new TransformationConfigError('xsltTransformation is not supported: XSLT transformations (Gloo Enterprise) were removed in Gloo 1.22');
  }
  throw new TransformationConfigError('unknown transformation type <nil>');
}

export { EMPTY as EMPTY_BODY };
