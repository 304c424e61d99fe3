/**
 * Gloo's template functions — the callbacks envoy-gloo's transformer registers on its Inja environment
 * (`source/extensions/filters/http/transformation/inja_transformer.cc`), with its behaviour on missing
 * or odd input:
 *
 *   header(name)            current message's header, first value; "" when absent
 *   request_header(name)    the request's header (from a response transformation); ""
 *   extraction(name)        an extractor's value; "" for an unknown name
 *   body()                  the raw body text
 *   context()               the parsed JSON body (any JSON type)
 *   env(name)               environment variable of the gateway process (read once, at config time); ""
 *   data_source(name)       the transformation's named data source; ""
 *   trim(s)                 ASCII whitespace stripped from both ends
 *   base64_encode(s) / base64url_encode(s)     (url: `-_` alphabet, no padding)
 *   base64_decode(s) / base64url_decode(s)     strict (Envoy's): any invalid input gives ""
 *   substring(s, start[, len])  byte offsets; start out of range ⇒ ""; len missing/≤0/too long ⇒ to
 *                               the end; a non-integer start or len ⇒ ""
 *   replace_with_random(s, pattern)  every `pattern` replaced by a random 128-bit token (base64, 22
 *                               chars); one token per pattern for the lifetime of the transformation
 *   raw_string(s)           s JSON-escaped without quotes (to embed in "…")
 *   word_count(x)           words of a string, or of all strings, keys and scalars of a JSON value
 *   cluster_metadata(key[, ns]) / dynamic_metadata(…) / host_metadata(…)   metadata at the `:`-separated
 *                               key path of namespace ns (default io.solo.transformation): strings and
 *                               numbers as themselves, booleans as "true"/"false", structs and lists as
 *                               JSON text; "" when absent
 *   clusterMetadata(key)    (deprecated) one key; lists of scalars joined with ","
 * A string argument given another type is nlohmann's type error 303, as in envoy-gloo.
 */
import { randomBytes } from 'node:crypto';
import type { CallbackDef } from './functions.js';
import type { FilterMetadata, InjaContext, MetadataStruct, MetadataValue } from './context.js';
import { asciiLower, byteLength, byteSubstring, formatG, isCSpace, stripAsciiWhitespace } from './cxx.js';
import { compareStrings, escapeJsonString, isObject, mkFloat, refInt64, refString, sortedKeys, type JsonValue } from './json-value.js';

export const TRANSFORMATION_NAMESPACE = 'io.solo.transformation';

/** Per-transformation state and settings the callbacks read (envoy-gloo's TransformerInstance). */
export interface GlooFunctionSettings {
  /** Environment variables (`env(name)`), captured when the transformation is built. */
  readonly environ: ReadonlyMap<string, string>;
  /** Named data sources (`data_source(name)`). */
  readonly dataSources: ReadonlyMap<string, string>;
  /** Separator of metadata key paths (`a:b:c`). */
  readonly metadataDelimiter: string;
  readonly randomTokens: RandomTokens;
}

/**
 * replace_with_random's tokens: one random 128-bit value per pattern, kept for the life of the
 * transformation (envoy-gloo keeps them in its TransformerInstance). Patterns can come from requests,
 * so at most `capacity` are remembered; beyond that each call draws a fresh token.
 */
export class RandomTokens {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly random: (n: number) => Uint8Array = randomBytes,
    private readonly capacity = 1024,
  ) {}

  tokenFor(pattern: string): string {
    let t = this.tokens.get(pattern);
    if (t === undefined) {
      t = Buffer.from(this.random(16)).toString('base64').replace(/=+$/, '');
      if (this.tokens.size < this.capacity) this.tokens.set(pattern, t);
    }
    return t;
  }
}

function headerLookup(get: (ctx: InjaContext, name: string) => string | undefined): CallbackDef['call'] {
  return (args, ctx) => get(ctx, asciiLower(refString(args[0]))) ?? '';
}

/** The callbacks, bound to one transformation's settings. */
export function glooCallbacks(settings: GlooFunctionSettings): CallbackDef[] {
  const { environ, dataSources, metadataDelimiter, randomTokens } = settings;
  const stringFn = (name: string, f: (s: string) => JsonValue): CallbackDef => ({ name, arity: 1, call: (args) => f(refString(args[0])) });
  const metadataFn = (name: string, source: (ctx: InjaContext) => FilterMetadata | undefined): CallbackDef => ({
    name,
    arity: -1,
    call: (args, ctx) => {
      const md = source(ctx);
      if (!md) return '';
      return parseMetadata(md, metadataDelimiter, args);
    },
  });
  return [
    {
      name: 'header',
      arity: 1,
      call: headerLookup((ctx, n) => ctx.header(n)),
      specialize: ([n]) => {
        if (typeof n !== 'string') return null;
        const lower = asciiLower(n);
        return (ctx) => ctx.header(lower) ?? '';
      },
    },
    {
      name: 'request_header',
      arity: 1,
      call: (args, ctx) => (ctx.requestHeader ? (ctx.requestHeader(asciiLower(refString(args[0]))) ?? '') : ''),
      specialize: ([n]) => {
        if (typeof n !== 'string') return null;
        const lower = asciiLower(n);
        return (ctx) => (ctx.requestHeader ? (ctx.requestHeader(lower) ?? '') : '');
      },
    },
    {
      name: 'extraction',
      arity: 1,
      call: (args, ctx) => ctx.extraction(refString(args[0])) ?? '',
      specialize: ([n]) => (typeof n === 'string' ? (ctx) => ctx.extraction(n) ?? '' : null),
    },
    stringFn('data_source', (n) => dataSources.get(n) ?? ''),
    stringFn('trim', stripAsciiWhitespace),
    { name: 'context', arity: 0, call: (_args, ctx) => ctx.json },
    { name: 'body', arity: 0, call: (_args, ctx) => ctx.body() },
    stringFn('env', (n) => environ.get(n) ?? ''),
    {
      name: 'clusterMetadata',
      arity: 1,
      call: (args, ctx) => {
        const key = refString(args[0]);
        const md = ctx.clusterMetadata?.();
        if (!md) return '';
        return deprecatedClusterMetadata(metadataValue(md, TRANSFORMATION_NAMESPACE, [key]));
      },
    },
    metadataFn('cluster_metadata', (ctx) => ctx.clusterMetadata?.()),
    metadataFn('dynamic_metadata', (ctx) => ctx.dynamicMetadata?.()),
    metadataFn('host_metadata', (ctx) => ctx.hostMetadata?.()),
    stringFn('base64_encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
    stringFn('base64url_encode', (s) => Buffer.from(s, 'utf8').toString('base64url')),
    stringFn('base64_decode', (s) => base64Decode(s, false)),
    stringFn('base64url_decode', (s) => base64Decode(s, true)),
    { name: 'substring', arity: 2, call: substring },
    { name: 'substring', arity: 3, call: substring },
    {
      name: 'replace_with_random',
      arity: 2,
      call: (args) => {
        const source = refString(args[0]);
        const pattern = refString(args[1]);
        const token = randomTokens.tokenFor(pattern);
        return pattern === '' ? source : source.split(pattern).join(token);
      },
    },
    stringFn('raw_string', escapeJsonString),
    { name: 'word_count', arity: 1, call: (args) => jsonWordCount(args[0]) },
  ];
}

function substring(args: readonly JsonValue[]): JsonValue {
  const input = refString(args[0]);
  const startRaw = refInt64(args[1]);
  if (startRaw === undefined) return '';
  // envoy-gloo stores the start in an int
  const start = typeof startRaw === 'number' ? startRaw | 0 : Number(BigInt.asIntN(32, startRaw));
  let len = -1;
  if (args.length === 3) {
    const l = refInt64(args[2]);
    if (l === undefined) return '';
    len = Number(l);
  }
  const inputLen = byteLength(input);
  if (start < 0 || start >= inputLen) return '';
  if (len <= 0 || start + len > inputLen) return byteSubstring(input, start);
  return byteSubstring(input, start, len);
}

// ---- base64 (Envoy's Base64 / Base64Url::decode: strict, "" on any invalid input) -----------------

const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const STD_REVERSE = reverseTable(STD_ALPHABET);
const URL_REVERSE = reverseTable(URL_ALPHABET);

function reverseTable(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(64);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}

/**
 * Strict base64 as Envoy decodes it: standard input must be a multiple of 4 long with at most two `=`
 * at the end; url input has no padding; the unused bits of the last character must be zero. The
 * decoded bytes are read as UTF-8.
 */
export function base64Decode(input: string, url: boolean): string {
  if (input.length === 0 || (!url && input.length % 4 !== 0)) return '';
  const table = url ? URL_REVERSE : STD_REVERSE;
  let last = input.length - 1;
  if (!url && input[input.length - 1] === '=') {
    last = input.length - 2;
    if (input[input.length - 2] === '=') last = input.length - 3;
  }
  const out: number[] = [];
  const val = (i: number) => {
    const c = input.charCodeAt(i);
    return c < 128 ? table[c] : 64;
  };
  for (let i = 0; i < last; i++) {
    const c = val(i);
    if (c === 64) return '';
    switch (i % 4) {
      case 0:
        out.push((c << 2) & 0xff);
        break;
      case 1:
        out[out.length - 1] |= c >> 4;
        out.push((c << 4) & 0xff);
        break;
      case 2:
        out[out.length - 1] |= c >> 2;
        out.push((c << 6) & 0xff);
        break;
      default:
        out[out.length - 1] |= c;
    }
  }
  const c = val(last);
  if (c === 64) return '';
  switch (last % 4) {
    case 0:
      return '';
    case 1:
      out[out.length - 1] |= c >> 4;
      if ((c & 0b1111) !== 0) return '';
      break;
    case 2:
      out[out.length - 1] |= c >> 2;
      if ((c & 0b11) !== 0) return '';
      break;
    default:
      out[out.length - 1] |= c;
  }
  return Buffer.from(out).toString('utf8');
}

// ---- word_count ---------------------------------------------------------------------------------

/** envoy-gloo's word_count of a string: words after leading whitespace (all-space text counts 1). */
export function wordCount(s: string): number {
  // envoy-gloo reads before the string on "" (undefined behaviour); we say 0.
  if (s.length === 0) return 0;
  let first = 0;
  for (let x = 0; x < s.length; x++) {
    if (!isCSpace(s.charCodeAt(x))) {
      first = x;
      break;
    }
  }
  let count = 0;
  let inSpace = false;
  for (let x = first; x < s.length; x++) {
    if (isCSpace(s.charCodeAt(x))) {
      if (!inSpace) count++;
      inSpace = true;
    } else inSpace = false;
  }
  return isCSpace(s.charCodeAt(s.length - 1)) ? count : count + 1;
}

export function jsonWordCount(v: JsonValue): number {
  if (typeof v === 'string') return wordCount(v);
  if (Array.isArray(v)) {
    let n = 0;
    for (const e of v) n += jsonWordCount(e);
    return n;
  }
  if (v === null) return 0;
  if (isObject(v)) {
    let n = 0;
    for (const k of sortedKeys(v)) n += wordCount(k) + jsonWordCount(v[k]);
    return n;
  }
  return 1; // numbers and booleans
}

// ---- metadata -----------------------------------------------------------------------------------

/** Envoy's Metadata::metadataValue: the value at `path` in namespace `ns`, or undefined. */
function metadataValue(md: FilterMetadata, ns: string, path: readonly string[]): MetadataValue | undefined {
  const root = Object.prototype.hasOwnProperty.call(md, ns) ? md[ns] : undefined;
  if (!root) return undefined;
  let struct: MetadataStruct | null = root;
  let val: MetadataValue | undefined;
  for (const p of path) {
    if (!struct) return undefined;
    const fields: Record<string, MetadataValue> = struct.fields ?? {};
    if (!Object.prototype.hasOwnProperty.call(fields, p)) return undefined;
    val = fields[p];
    struct = 'structValue' in val ? val.structValue : null;
  }
  return val;
}

function parseMetadata(md: FilterMetadata, delimiter: string, args: readonly JsonValue[]): JsonValue {
  const key = args[0];
  if (typeof key !== 'string') return '';
  const ns = args.length > 1 ? refString(args[1]) : TRANSFORMATION_NAMESPACE;
  const v = metadataValue(md, ns, key.split(delimiter));
  if (!v) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return mkFloat(v.numberValue);
  if ('boolValue' in v) return v.boolValue ? 'true' : 'false';
  if ('structValue' in v) return protoJson(v);
  if ('listValue' in v) return protoJson(v);
  return '';
}

function deprecatedClusterMetadata(v: MetadataValue | undefined): JsonValue {
  if (!v) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return mkFloat(v.numberValue);
  if ('boolValue' in v) return v.boolValue ? 'true' : 'false';
  if ('listValue' in v) {
    const values = v.listValue.values ?? [];
    // ostream formatting of each scalar, "," between (other kinds add nothing but keep their comma)
    return values
      .map((e) => ('stringValue' in e ? e.stringValue : 'numberValue' in e ? formatG(e.numberValue, 6) : 'boolValue' in e ? String(e.boolValue) : ''))
      .join(',');
  }
  return '';
}

/** A Struct or list as protobuf's JSON printer writes it (compact; keys in order; doubles as %.15g/%.17g). */
function protoJson(v: MetadataValue): string {
  if ('stringValue' in v) return '"' + escapeJsonString(v.stringValue) + '"';
  if ('numberValue' in v) {
    const n = v.numberValue;
    if (!Number.isFinite(n)) return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
    const short = formatG(n, 15);
    return Number(short) === n ? short : formatG(n, 17);
  }
  if ('boolValue' in v) return v.boolValue ? 'true' : 'false';
  if ('structValue' in v) {
    const fields = v.structValue.fields ?? {};
    const keys = Object.keys(fields).sort(compareStrings);
    return '{' + keys.map((k) => '"' + escapeJsonString(k) + '":' + protoJson(fields[k])).join(',') + '}';
  }
  if ('listValue' in v) return '[' + (v.listValue.values ?? []).map(protoJson).join(',') + ']';
  return 'null';
}
