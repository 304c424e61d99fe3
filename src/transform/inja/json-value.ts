/**
 * The JSON value model of the template engine, with nlohmann::json's semantics (the JSON library
 * envoy-gloo's Inja renders with): integers and floats are different types, objects iterate and print
 * in sorted key order, comparisons order mixed types, and errors carry nlohmann's messages.
 *
 * Representation (plain JS values wherever possible, so a parsed body is used as is):
 *   null, boolean, string        as themselves
 *   integer                      a JS number with an integral value (|n| < 2^53), or a bigint beyond
 *                                that (int64 / uint64 range)
 *   float                        a JS number with a non-integral value (also NaN, ±Infinity), or a
 *                                `JsonFloat` box when the value is integral (`1.0`, `2e3`, `4 / 2`)
 *   array                        a JS array
 *   object                       a plain object (own enumerable string keys; order irrelevant)
 * Example: the body `{"a": 1, "b": 1.0, "c": 1.5}` is `{a: 1, b: new JsonFloat(1), c: 1.5}`.
 *
 * Values are never mutated once built (template `set` and loops copy along the path they change), so
 * a parsed body can be shared by every template of a request.
 */
import { InjaRenderError, jsonError } from './errors.js';
import { grisu2 } from './grisu2.js';

/** A float whose value is integral (nlohmann keeps `1.0` a float: it prints `1.0`, `isFloat` is true). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

export type JsonValue = null | boolean | number | bigint | string | JsonFloat | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A float result as a JsonValue: boxed when integral so it keeps printing as a float. */
export function mkFloat(x: number): JsonValue {
  return Number.isInteger(x) ? new JsonFloat(x) : x;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint integer as a JsonValue: a plain number when it fits exactly. */
export function normBig(b: bigint): number | bigint {
  return b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b;
}

export function isObject(v: JsonValue): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonFloat);
}

export function isInteger(v: JsonValue): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

export function isFloat(v: JsonValue): boolean {
  return (typeof v === 'number' && !Number.isInteger(v)) || v instanceof JsonFloat;
}

export function isNumber(v: JsonValue): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonFloat;
}

/** nlohmann's `type_name()`. */
export function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'bigint':
      return 'number';
  }
  if (v instanceof JsonFloat) return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

/** An object's own value for `key`, or undefined (never an inherited property). */
export function getOwn(o: JsonObject, key: string): JsonValue | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'function') return undefined;
  if (key === '__proto__' && !Object.prototype.hasOwnProperty.call(o, key)) return undefined;
  return v;
}

/** Sets an own property, `__proto__` included. */
export function putOwn(o: JsonObject, key: string, v: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
  else o[key] = v;
}

/** A shallow copy of an object (own keys, `__proto__` included: spread defines properties). */
export function copyObject(o: JsonObject): JsonObject {
  return { ...o };
}

const NEEDS_CODEPOINT_SORT = /[\uD800-\uFFFF]/;

/** Object keys in nlohmann's (std::map, byte-wise UTF-8) order. */
export function sortedKeys(o: JsonObject): string[] {
  const keys = Object.keys(o);
  if (keys.length < 2) return keys;
  keys.sort();
  for (const k of keys) {
    if (NEEDS_CODEPOINT_SORT.test(k)) return keys.sort(compareStrings);
  }
  return keys;
}

/** Code point (= UTF-8 byte) order, which is what std::string comparison gives. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let c1 = a.charCodeAt(i);
    let c2 = b.charCodeAt(i);
    if (c1 === c2) continue;
    if (c1 >= 0xd800 && c2 >= 0xd800) {
      // UTF-16 puts astral characters (surrogates) below U+E000..U+FFFF; code points put them above.
      c1 = c1 >= 0xe000 ? c1 - 0x800 : c1 + 0x2000;
      c2 = c2 >= 0xe000 ? c2 - 0x800 : c2 + 0x2000;
    }
    return c1 < c2 ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** nlohmann's `empty()`: null and empty arrays/objects; every string, number and boolean is non-empty. */
export function isEmpty(v: JsonValue): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

/** Inja's truthiness: booleans, numbers != 0, null false, otherwise `!empty()` (so `""` is true). */
export function truthy(v: JsonValue): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return true;
  if (v === null) return false;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof JsonFloat) return v.value !== 0;
  return !isEmpty(v);
}

/** nlohmann's `clear()`: the type's zero value (0, 0.0, "", false, [], {}); null stays null. */
export function clearedValue(v: JsonValue): JsonValue {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return '';
    case 'boolean':
      return false;
    case 'bigint':
      return 0;
    case 'number':
      return Number.isInteger(v) ? 0 : new JsonFloat(0);
  }
  if (v instanceof JsonFloat) return new JsonFloat(0);
  return Array.isArray(v) ? [] : {};
}

/**
 * What iterating a value visits (`in`, `max`, `join`, `first`…): an array's elements, an object's
 * values in key order, nothing for null, and a primitive itself.
 */
export function iterValues(v: JsonValue): JsonValue[] {
  if (Array.isArray(v)) return v;
  if (v === null) return [];
  if (isObject(v)) return sortedKeys(v).map((k) => v[k]);
  return [v];
}

// ---------------------------------------------------------------------------------------------------
// Conversions (nlohmann `get<T>()` / `get_ref<T>()`), throwing nlohmann's type errors

/** `get<number_float_t>()`: any number as a double (booleans are rejected, unlike `get<int>()`). */
export function toDouble(v: JsonValue): number {
  if (typeof v === 'number') return v;
  if (v instanceof JsonFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  throw jsonError('type_error.302', `type must be number, but is ${typeName(v)}`);
}

const INT64_MIN = -(2n ** 63n);

/** `get<number_integer_t>()`: any number as an int64 (floats truncate; booleans are rejected). */
export function toInt64(v: JsonValue): number | bigint {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v === 0 ? 0 : v;
    return truncToInt64(v);
  }
  if (typeof v === 'bigint') return normBig(BigInt.asIntN(64, v));
  if (v instanceof JsonFloat) return truncToInt64(v.value);
  throw jsonError('type_error.302', `type must be number, but is ${typeName(v)}`);
}

function truncToInt64(x: number): number | bigint {
  const t = Math.trunc(x);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  // static_cast<int64_t> of an out-of-range double is what x86 gives: INT64_MIN.
  if (!Number.isFinite(t) || t >= 2 ** 63 || t < -(2 ** 63)) return INT64_MIN;
  return normBig(BigInt(t));
}

/** `get<int>()`: any number or boolean, narrowed to 32 bits as C++ does. */
export function toInt32(v: JsonValue): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  const i = toInt64(v);
  return typeof i === 'number' ? i | 0 : Number(BigInt.asIntN(32, i));
}

/** `get_ref<const std::string&>()`. */
export function refString(v: JsonValue): string {
  if (typeof v === 'string') return v;
  throw jsonError('type_error.303', `incompatible ReferenceType for get_ref, actual type is ${typeName(v)}`);
}

/** `get<std::string>()`. */
export function getString(v: JsonValue): string {
  if (typeof v === 'string') return v;
  throw jsonError('type_error.302', `type must be string, but is ${typeName(v)}`);
}

/** `get_ref<const int64_t&>()`: only stored integers (not floats, not booleans). */
export function refInt64(v: JsonValue): number | bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'bigint') return normBig(BigInt.asIntN(64, v));
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Integer arithmetic with int64 wrap-around

export function intResult(a: number | bigint, b: number | bigint, op: '+' | '-' | '*'): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return normBig(BigInt.asIntN(64, op === '+' ? x + y : op === '-' ? x - y : x * y));
}

// ---------------------------------------------------------------------------------------------------
// Equality and ordering (nlohmann's operator== and operator<=> in C++20 mode)

function numOf(v: JsonValue): number | bigint | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof JsonFloat) return v.value;
  return null;
}

function isNaNValue(v: JsonValue): boolean {
  return typeof v === 'number' && Number.isNaN(v);
}

/** Numeric three-way comparison; NaN when unordered (a NaN operand). */
function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') {
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed bigint / number: compare exactly unless the number is not an integer (then as doubles).
  const n = typeof a === 'number' ? a : (b as number);
  if (Number.isNaN(n)) return NaN;
  if (!Number.isInteger(n)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = typeof a === 'bigint' ? a : BigInt(a);
  const y = typeof b === 'bigint' ? b : BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** nlohmann's operator==. */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return !isNaNValue(a);
  const na = numOf(a);
  if (na !== null) {
    const nb = numOf(b);
    return nb !== null && compareNumbers(na, nb) === 0;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const vb = getOwn(b, k);
    if (vb === undefined || !jsonEquals(a[k], vb)) return false;
  }
  return true;
}

/** nlohmann's operator!=: false when a NaN is compared with a number. */
export function jsonNotEquals(a: JsonValue, b: JsonValue): boolean {
  if ((isNaNValue(a) && isNumber(b)) || (isNaNValue(b) && isNumber(a))) return false;
  return !jsonEquals(a, b);
}

// null < boolean < number < object < array < string (nlohmann's value_t order)
function typeRank(v: JsonValue): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 5;
  }
  if (v instanceof JsonFloat) return 2;
  return Array.isArray(v) ? 4 : 3;
}

/** nlohmann's operator<=>: -1, 0, 1, or NaN when unordered (NaN against a number). */
export function jsonCompare(a: JsonValue, b: JsonValue): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a === false ? -1 : 1;
    case 2:
      return compareNumbers(numOf(a)!, numOf(b)!);
    case 5:
      return compareStrings(a as string, b as string);
    case 4: {
      const x = a as JsonValue[];
      const y = b as JsonValue[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = jsonCompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    default: {
      // std::map <=>: lexicographic over (key, value) pairs in key order
      const x = a as JsonObject;
      const y = b as JsonObject;
      const kx = sortedKeys(x);
      const ky = sortedKeys(y);
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        const ck = compareStrings(kx[i], ky[i]);
        if (ck !== 0) return ck;
        const cv = jsonCompare(x[kx[i]], y[ky[i]]);
        if (cv !== 0) return cv;
      }
      return kx.length < ky.length ? -1 : kx.length > ky.length ? 1 : 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Printing

/**
 * nlohmann's float serialization: Grisu2 digits (round-trip, not always the shortest), `d.0` for
 * integral values up to 15 digits, `0.000ddd` down to 1e-4, otherwise `d.ddde±XX`. Non-finite values
 * print `null`. Examples: 1 → `1.0`, 25.68 → `25.68`, 0.001 → `0.001`, 1e-5 → `1e-05`, 1e16 →
 * `1e+16`, -218.49512 → `-218.49511999999999`.
 */
export function formatFloat(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  let out = FLOAT_CACHE.get(x);
  if (out === undefined) {
    out = formatNonZeroFloat(x);
    // values come from requests: bound the cache (a full cache starts over)
    if (FLOAT_CACHE.size >= FLOAT_CACHE_SIZE) FLOAT_CACHE.clear();
    FLOAT_CACHE.set(x, out);
  }
  return out;
}

const FLOAT_CACHE_SIZE = 4096;
const FLOAT_CACHE = new Map<number, string>();

function formatNonZeroFloat(x: number): string {
  const neg = x < 0;
  const g = grisu2(neg ? -x : x);
  const digits = g.digits;
  const k = digits.length;
  const n = k + g.exponent; // position of the decimal point
  let out: string;
  if (k <= n && n <= 15) out = digits + '0'.repeat(n - k) + '.0';
  else if (n > 0 && n <= 15) out = digits.slice(0, n) + '.' + digits.slice(n);
  else if (n > -4 && n <= 0) out = '0.' + '0'.repeat(-n) + digits;
  else {
    const exp = n - 1;
    const abs = exp < 0 ? -exp : exp;
    out = (k === 1 ? digits : digits[0] + '.' + digits.slice(1)) + 'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' : '') + abs;
  }
  return neg ? '-' + out : out;
}

// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** A string JSON-escaped as nlohmann's dump() does, without the surrounding quotes. */
export function escapeJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    let rep: string;
    switch (c) {
      case 0x08:
        rep = '\\b';
        break;
      case 0x09:
        rep = '\\t';
        break;
      case 0x0a:
        rep = '\\n';
        break;
      case 0x0c:
        rep = '\\f';
        break;
      case 0x0d:
        rep = '\\r';
        break;
      case 0x22:
        rep = '\\"';
        break;
      case 0x5c:
        rep = '\\\\';
        break;
      default:
        rep = '\\u00' + (c < 0x10 ? '0' : '') + c.toString(16);
    }
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return out + s.slice(from);
}

/**
 * nlohmann's compact `dump()`: objects in key order, floats as formatFloat. A value nested too deeply
 * to serialize (tens of thousands of levels) is an InjaRenderError INJA_ERR_LIMIT.
 */
export function dumpJson(v: JsonValue): string {
  try {
    return dump(v);
  } catch (err) {
    if (err instanceof RangeError) throw new InjaRenderError('INJA_ERR_LIMIT', 'JSON value nested too deeply to serialize');
    throw err;
  }
}

function dump(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return '"' + escapeJsonString(v) + '"';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isInteger(v) ? String(v) : formatFloat(v);
    case 'bigint':
      return v.toString();
  }
  if (v instanceof JsonFloat) return formatFloat(v.value);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + dump(v[i]);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const k of sortedKeys(v)) {
    out += (first ? '"' : ',"') + escapeJsonString(k) + '":' + dump(v[k]);
    first = false;
  }
  return out + '}';
}

/**
 * How `{{ expr }}` prints a value (Inja's print_data): strings raw, integers in decimal (a uint64 above
 * INT64_MAX prints as the signed value, as Inja casts it), null as nothing, everything else dumped.
 */
export function printValue(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (v === null) return '';
  if (typeof v === 'bigint') return BigInt.asIntN(64, v).toString();
  return dumpJson(v);
}

/** print_data with `escape_strings` (Gloo's `escapeCharacters`): strings JSON-escaped, unquoted. */
export function printValueEscaped(v: JsonValue): string {
  return typeof v === 'string' ? escapeJsonString(v) : printValue(v);
}
