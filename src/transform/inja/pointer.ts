/**
 * JSON pointers as Inja and nlohmann use them to address the template context: a variable `a.b.0`
 * becomes `/a/b/0` (dot notation; with `advancedTemplates` the name is the pointer, `a/b~1c`).
 * Lookup follows nlohmann's `contains()` rules: an array step needs a canonical index (`0`, `12`, not
 * `01` or `-`) within bounds; stepping into a string or number finds nothing.
 */
import { InjaRenderError, jsonError } from './errors.js';
import { copyObject, getOwn, isObject, putOwn, typeName, type JsonObject, type JsonValue } from './json-value.js';

/** Inja's convert_dot_to_ptr: `a.b` → `/a/b` (every `.` separates; `a..b` → `/a//b`, `a.` → `/a`). */
export function dotToPointer(name: string): string {
  let out = '';
  let rest = name;
  do {
    const dot = rest.indexOf('.');
    out += '/' + (dot < 0 ? rest : rest.slice(0, dot));
    rest = dot < 0 ? '' : rest.slice(dot + 1);
  } while (rest !== '');
  return out;
}

/** nlohmann's json_pointer parsing: `/a~1b/c` → ['a/b', 'c']. Throws nlohmann's parse errors. */
export function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  if (ptr[0] !== '/') {
    throw jsonError('parse_error.107', `parse error at byte 1: JSON pointer must be empty or begin with '/' - was: '${ptr}'`);
  }
  const tokens = ptr.slice(1).split('/');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.indexOf('~') < 0) continue;
    for (let p = t.indexOf('~'); p >= 0; p = t.indexOf('~', p + 1)) {
      if (p === t.length - 1 || (t[p + 1] !== '0' && t[p + 1] !== '1')) {
        throw jsonError('parse_error.108', "parse error: escape character '~' must be followed with '0' or '1'");
      }
    }
    tokens[i] = t.replaceAll('~1', '/').replaceAll('~0', '~');
  }
  return tokens;
}

/** The array index a token addresses (nlohmann's canonical form), or -1 when it cannot address one. */
export function arrayIndex(token: string): number {
  const n = token.length;
  if (n === 0 || n > 15) return -1;
  const c0 = token.charCodeAt(0);
  if (n === 1) return c0 >= 0x30 && c0 <= 0x39 ? c0 - 0x30 : -1;
  if (c0 < 0x31 || c0 > 0x39) return -1;
  for (let i = 1; i < n; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return Number(token);
}

/** The value at `tokens` (nlohmann `contains` + `operator[]`), or undefined when there is none. */
export function lookupPointer(root: JsonValue, tokens: readonly string[], indexes: readonly number[]): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (let i = 0; i < tokens.length; i++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    if (Array.isArray(cur)) {
      const idx = indexes[i];
      if (idx < 0 || idx >= cur.length) return undefined;
      cur = cur[idx];
    } else if (isObject(cur)) {
      cur = getOwn(cur, tokens[i]);
      if (cur === undefined) return undefined;
    } else return undefined;
  }
  return cur;
}

/**
 * `root[json_pointer] = value` (nlohmann's get_unchecked, what `{% set a.b = v %}` does) on an object
 * owned by the caller, copying every container on the path instead of changing it (values may be
 * shared with the request body). A null on the way becomes an array when the next token is a number
 * or `-` (append), an object otherwise; a string or number on the way is out_of_range 404.
 */
export function setPointer(root: JsonObject, tokens: readonly string[], value: JsonValue): void {
  let parent: JsonObject | JsonValue[] = root;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    let idx = -1;
    if (Array.isArray(parent)) {
      idx = tok === '-' ? parent.length : createIndex(tok, parent.length);
      while (parent.length <= idx) parent.push(null);
    }
    if (i === tokens.length - 1) {
      if (Array.isArray(parent)) parent[idx] = value;
      else putOwn(parent, tok, value);
      return;
    }
    const current: JsonValue = Array.isArray(parent) ? parent[idx] : (getOwn(parent, tok) ?? null);
    const next = tokens[i + 1];
    let child: JsonValue[] | JsonObject;
    if (current === null) child = next === '-' || /^[0-9]*$/.test(next) ? [] : {};
    else if (Array.isArray(current)) child = current.slice();
    else if (isObject(current)) child = copyObject(current);
    else throw jsonError('out_of_range.404', `unresolved reference token '${next}'`);
    if (Array.isArray(parent)) parent[idx] = child;
    else putOwn(parent, tok, child);
    parent = child;
  }
}

const MAX_ARRAY_GROWTH = 100_000;

/** nlohmann's array_index for writing, bounded. */
function createIndex(token: string, size: number): number {
  if (token.length > 1 && token[0] === '0') {
    throw jsonError('parse_error.106', `parse error: array index '${token}' must not begin with '0'`);
  }
  if (token.length > 1 && !(token[0] >= '1' && token[0] <= '9')) {
    throw jsonError('parse_error.109', `parse error: array index '${token}' is not a number`);
  }
  if (!/^[0-9]+$/.test(token)) throw jsonError('out_of_range.404', `unresolved reference token '${token}'`);
  const idx = Number(token);
  // nlohmann would fill the array with nulls up to any index; we bound it.
  if (idx > size + MAX_ARRAY_GROWTH) {
    throw new InjaRenderError('INJA_ERR_LIMIT', `array index ${token} is beyond the ${MAX_ARRAY_GROWTH} elements a set statement may add`);
  }
  return idx;
}

/** nlohmann `operator[](string)` on a value that must become or be an object. */
export function objectForWrite(v: JsonValue): JsonObject {
  if (v === null) return {};
  if (isObject(v)) return copyObject(v);
  throw jsonError('type_error.305', `cannot use operator[] with a string argument with ${typeName(v)}`);
}
