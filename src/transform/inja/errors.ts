/**
 * Errors of the template engine, with the messages Gloo users see from envoy-gloo (Inja's and
 * nlohmann::json's `what()` strings), so runbooks and tests that match on them keep working.
 *
 * - `TemplateError` is thrown at config time by `compile()`: a syntax error, an unknown function, a
 *   malformed literal. The VirtualService that holds the template is Rejected with its message.
 *   Example: `[inja.exception.parser_error] (at 1:12) unknown function uppr`.
 * - `InjaRenderError` is thrown by `render()`: Inja's render errors (`variable 'x' not found`), JSON
 *   type errors (`[json.exception.type_error.302] type must be number, but is string`), C++ library
 *   errors (`stoi`). envoy-gloo answers such a request 400 with `bad request: <message>`; what to do
 *   is the filter's decision.
 *
 * Codes (stable, STYLE 12):
 *   INJA_ERR_PARSE     config time: Inja parser_error
 *   INJA_ERR_JSON      a nlohmann::json exception (a bad literal at config time; a type error, a bad
 *                      JSON body… at render time)
 *   INJA_ERR_RENDER    render time: Inja render_error
 *   INJA_ERR_STD       render time: a C++ standard library exception Inja lets through (`stoi`, `stod`)
 *   INJA_ERR_LIMIT     one of our resource bounds (see docs/transformations.md): a template nested too
 *                      deeply to compile, a render beyond a bound
 *   INJA_ERR_INTERNAL  render time: anything else (a bug, a stack overflow on absurdly deep JSON)
 * Positions (`line`, `column`) are 1-based and, like Inja's, count columns in UTF-8 bytes.
 */

export type TemplateErrorCode = 'INJA_ERR_PARSE' | 'INJA_ERR_JSON' | 'INJA_ERR_LIMIT';
export type RenderErrorCode = 'INJA_ERR_RENDER' | 'INJA_ERR_JSON' | 'INJA_ERR_STD' | 'INJA_ERR_LIMIT' | 'INJA_ERR_INTERNAL';

/** A template that cannot be compiled. `message` is the full text; `reason` without prefix and position. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    /** The message without the `[inja.exception.…] (at l:c)` prefix, e.g. `unknown function uppr`. */
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** The offending token or literal, e.g. `uppr` (Inja's `<eof>` / `<text>` / `<eol>` for those). */
    readonly near: string,
    /** The template line the error is on (without its newline). */
    readonly lineText: string,
  ) {
    super(message);
  }
}

/** A render failure; `message` is what envoy-gloo would put after `bad request: `. */
export class InjaRenderError extends Error {
  override readonly name = 'InjaRenderError';
  constructor(
    readonly code: RenderErrorCode,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** A nlohmann::json exception, e.g. `jsonError('type_error.302', 'type must be …')`. */
export function jsonError(id: string, what: string): InjaRenderError {
  return new InjaRenderError('INJA_ERR_JSON', `[json.exception.${id}] ${what}`);
}

/** A C++ standard library exception: its `what()` is just the function name (`stoi`). */
export function stdError(what: string): InjaRenderError {
  return new InjaRenderError('INJA_ERR_STD', what);
}

export interface SourceLocation {
  line: number;
  column: number;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

/** Inja's get_source_location: line and byte column (1-based) of index `pos` of `content`. */
export function sourceLocation(content: string, pos: number): SourceLocation {
  const sliced = content.slice(0, Math.max(0, Math.min(pos, content.length)));
  const lastNewline = sliced.lastIndexOf('\n');
  if (lastNewline < 0) return { line: 1, column: utf8Length(sliced) + 1 };
  let lines = 0;
  for (let i = sliced.indexOf('\n'); i >= 0; i = sliced.indexOf('\n', i + 1)) lines++;
  return { line: lines + 1, column: utf8Length(sliced.slice(lastNewline)) };
}

/** The text of the line holding index `pos`. */
export function lineTextAt(content: string, pos: number): string {
  const start = content.lastIndexOf('\n', pos - 1) + 1;
  let end = content.indexOf('\n', pos);
  if (end < 0) end = content.length;
  return content.slice(start, end).replace(/\r$/, '');
}

/** `[inja.exception.render_error] (at l:c) <what>` at index `pos` of the template. */
export function renderError(what: string, content: string, pos: number): InjaRenderError {
  const { line, column } = sourceLocation(content, pos);
  return new InjaRenderError('INJA_ERR_RENDER', `[inja.exception.render_error] (at ${line}:${column}) ${what}`, line, column);
}
