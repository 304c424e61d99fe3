/**
 * An InjaEnvironment is what envoy-gloo builds per transformation template (its TransformerInstance):
 * the template dialect (dot or JSON-pointer variables, `escapeCharacters`) and the state Gloo's
 * functions share (environment variables, data sources, `replace_with_random` tokens). The filter makes
 * one per TransformationTemplate at config time and compiles each of its templates (headers, body,
 * dynamic metadata…) with it.
 *
 * Example:
 *   const env = new InjaEnvironment({ advancedTemplates: false, escapeCharacters: false });
 *   const t = env.compile('{{ upper(header(":method")) }} {{ user.name }}');  // throws TemplateError
 *   t.render(ctx);                                                           // throws InjaRenderError
 */
import type { InjaContext } from './context.js';
import { compileTemplate, type RenderFunction } from './compile.js';
import { FunctionTable } from './functions.js';
import { glooCallbacks, RandomTokens } from './gloo-functions.js';
import { parseTemplate } from './parser.js';
import { TemplateError } from './errors.js';
import { NO_USAGE, templateUsage, type TemplateUsage } from './usage.js';

export interface InjaOptions {
  /** Gloo's `advancedTemplates`: variables are JSON pointers (`a/b`), not dotted paths (`a.b`). */
  advancedTemplates?: boolean;
  /** Gloo's `escapeCharacters`: strings print JSON-escaped, so templated JSON stays valid. */
  escapeCharacters?: boolean;
  /** Variables for `env(name)`; default: the gateway process's environment (read once). */
  environ?: ReadonlyMap<string, string>;
  /** Named data sources for `data_source(name)` (envoy-gloo's `dataSources`; not in Gloo's API). */
  dataSources?: ReadonlyMap<string, string>;
  /** Separator of metadata key paths in `dynamic_metadata("a:b")` (envoy-gloo's `string_delimiter`). */
  metadataDelimiter?: string;
  /** Random bytes for `replace_with_random` (tests pass a deterministic source). */
  randomBytes?: (n: number) => Uint8Array;
  /** Inja's whitespace knobs; Gloo leaves both off. */
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
}

let processEnviron: ReadonlyMap<string, string> | null = null;

function processEnvironment(): ReadonlyMap<string, string> {
  if (!processEnviron) {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) m.set(k, v);
    processEnviron = m;
  }
  return processEnviron;
}

export class InjaEnvironment {
  private readonly functions: FunctionTable;
  private readonly pointerNotation: boolean;
  private readonly escapeStrings: boolean;
  private readonly trimBlocks: boolean;
  private readonly lstripBlocks: boolean;

  constructor(opts: InjaOptions = {}) {
    const delimiter = opts.metadataDelimiter ?? ':';
    if (delimiter.length !== 1) throw new Error('Metadata string delimiter must be a single character');
    this.pointerNotation = opts.advancedTemplates ?? false;
    this.escapeStrings = opts.escapeCharacters ?? false;
    this.trimBlocks = opts.trimBlocks ?? false;
    this.lstripBlocks = opts.lstripBlocks ?? false;
    this.functions = new FunctionTable(
      glooCallbacks({
        environ: opts.environ ?? processEnvironment(),
        dataSources: opts.dataSources ?? new Map(),
        metadataDelimiter: delimiter,
        randomTokens: new RandomTokens(opts.randomBytes),
      }),
    );
  }

  /** Parses and compiles a template. Throws TemplateError (syntax, unknown function, bad literal). */
  compile(template: string): InjaTemplate {
    try {
      return this.compileUnguarded(template);
    } catch (err) {
      // Inja recurses through nested expressions too (and Envoy would overflow its stack): refuse.
      if (err instanceof RangeError) {
        throw new TemplateError('INJA_ERR_LIMIT', 'template nested too deeply to compile', err.message, 1, 1, '', template.split('\n', 1)[0]);
      }
      throw err;
    }
  }

  private compileUnguarded(template: string): InjaTemplate {
    const parsed = parseTemplate(template, {
      functions: this.functions,
      pointerNotation: this.pointerNotation,
      trimBlocks: this.trimBlocks,
      lstripBlocks: this.lstripBlocks,
    });
    const nodes = parsed.root.nodes;
    const constant = nodes.every((n) => n.t === 'text') ? nodes.map((n) => (n.t === 'text' ? n.text : '')).join('') : null;
    const render = compileTemplate(parsed.root, parsed.content, { functions: this.functions, escapeStrings: this.escapeStrings });
    return new InjaTemplate(template, constant, render, templateUsage(parsed.root));
  }
}

/** A compiled template. `render` is safe to call concurrently from any number of requests. */
export class InjaTemplate {
  constructor(
    readonly source: string,
    /** The output when the template is plain text (no expression or statement), else null. */
    readonly constant: string | null,
    private readonly renderFn: RenderFunction,
    /** What the template reads from the request (body, context variables), for the filter's buffering decision. */
    readonly usage: TemplateUsage = NO_USAGE,
  ) {}

  /** Renders for one request. Throws InjaRenderError (envoy-gloo answers such a request 400). */
  render(ctx: InjaContext): string {
    return this.renderFn(ctx);
  }
}
